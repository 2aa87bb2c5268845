package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Schemas using features the compiler cannot enforce are rejected with the keyword and its location. */
class UnsupportedSchemaTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'type':'object','patternProperties':{'^x':{}}}                          | patternProperties | ''",
        "{'properties':{'a':{'type':'integer','multipleOf':3}}}                    | multipleOf        | /properties/a",
        "{'if':{'type':'string'},'then':{'maxLength':2}}                           | if                | ''",
        "{'type':'array','items':{'not':{'type':'null'}}}                          | not               | /items",
        "{'type':'array','uniqueItems':true}                                       | uniqueItems       | ''",
        "{'type':'object','dependentSchemas':{'a':{}}}                             | dependentSchemas  | ''",
        "{'type':'object','minProperties':1}                                       | minProperties     | ''",
        "{'type':'string','format':'uri'}                                          | format            | ''",
        "{'type':'string','pattern':'(?=a)b'}                                      | pattern           | ''",
        "{'type':'string','pattern':'(a)\\\\1'}                                    | pattern           | ''",
        "{'type':'string','pattern':'a^b'}                                         | pattern           | ''",
        "{'type':'string','pattern':'^a$','maxLength':3}                           | maxLength         | ''",
        "{'$ref':'https://example.com/s.json'}                                     | $ref              | ''",
        "{'$ref':'#/$defs/missing'}                                                | $ref              | ''",
        "{'anyOf':[{'type':'string'}],'maxLength':3}                               | anyOf             | ''",
        "{'allOf':[{'type':'string'},{'maxLength':3}]}                             | allOf             | ''",
        "{'$defs':{'a':{'type':'object','propertyNames':{'maxLength':2}}},'$ref':'#/$defs/a'} | propertyNames | /$defs/a",
        "{'type':'object','properties':{'a':{'type':'string'}},'required':['b'],'additionalProperties':false} | required | ''",
        "{'type':'integer','minimum':10,'maximum':5}                               | minimum           | ''",
        "{'type':'string','maxLength':100000000}                                   | maxLength         | ''",
        "{'type':'array','maxItems':100000}                                        | maxItems          | ''",
        "{'type':'array','minItems':2147483647}                                    | minItems          | ''",
        "{'type':'array','maxItems':-5}                                            | maxItems          | ''",
        "{'type':'array','minItems':1.5}                                           | minItems          | ''",
        "{'properties':{'s':{'type':'string','minLength':-3}}}                     | minLength         | /properties/s",
        "{'type':'integer','minimum':'x'}                                          | minimum           | ''",
        "{'type':'number','exclusiveMaximum':[1]}                                  | exclusiveMaximum  | ''",
        "{'type':'object','required':'a'}                                          | required          | ''",
        "{'type':'string','pattern':5}                                             | pattern           | ''",
        "{'$ref':'#'}                                                              | $ref              | ''",
        "{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'$ref':'#/$defs/a'}},'$ref':'#/$defs/a'} | $ref         | /$defs/b",
        "{'anyOf':[{'type':'null'},{'$ref':'#'}]}                                  | $ref              | /anyOf/1",
    })
    void rejected(String schema, String keyword, String pointer) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> Grammar.jsonSchema(schema.replace('\'', '"')));
        assertEquals(keyword, e.keyword(), e.getMessage());
        if (!keyword.equals("(size)")) assertEquals(pointer, e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + keyword + "'"), e.getMessage());
    }

    /** Limits name the keyword and the limit; a count at the limit still compiles. */
    @org.junit.jupiter.api.Test
    void limitsNameTheKeywordAndTheLimit() {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> Grammar.jsonSchema("{\"type\":\"array\",\"maxItems\":100000}"));
        assertTrue(e.getMessage().contains("'maxItems'") && e.getMessage().contains("limit of " + JsonSchemaCompiler.MAX_REPEAT), e.getMessage());
        e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.jsonSchema("{\"type\":\"array\",\"maxItems\":-5}"));
        assertTrue(e.getMessage().startsWith("invalid JSON schema value of 'maxItems' at #: -5 is not a non-negative integer"), e.getMessage());
        assertTrue(Grammar.jsonSchema("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":"
                + JsonSchemaCompiler.MAX_REPEAT + "}").size() > JsonSchemaCompiler.MAX_REPEAT);
        // total size: 20 strings of up to 10000 characters, each unrolled
        StringBuilder props = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        for (int i = 0; i < 20; i++) props.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"string\",\"maxLength\":10000}");
        String wide = props.append("}}").toString();
        e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.jsonSchema(wide));
        assertEquals("(size)", e.keyword(), e.getMessage());
        assertTrue(e.getMessage().contains("more than " + NfaBuilder.MAX_NODES + " automaton nodes"), e.getMessage());
        // nesting: 100 levels of arrays
        String deep = "{\"type\":\"array\",\"items\":".repeat(100) + "{}" + "}".repeat(100);
        e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.jsonSchema(deep));
        assertEquals("(nesting)", e.keyword(), e.getMessage());
        assertTrue(e.getMessage().contains("limit of " + JsonSchemaCompiler.MAX_NESTING), e.getMessage());
        // non-recursive $refs that double at each level: 2^20 inlined schemas
        StringBuilder defs = new StringBuilder("{\"$defs\":{\"d0\":{\"type\":\"integer\"}");
        for (int i = 1; i <= 20; i++) {
            defs.append(",\"d").append(i).append("\":{\"type\":\"array\",\"prefixItems\":[{\"$ref\":\"#/$defs/d").append(i - 1)
                    .append("\"},{\"$ref\":\"#/$defs/d").append(i - 1).append("\"}]}");
        }
        String doubling = defs.append("},\"$ref\":\"#/$defs/d20\"}").toString();
        e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.jsonSchema(doubling));
        assertEquals("(size)", e.keyword(), e.getMessage());
    }

    /** Counted items beyond the inlined few (rule calls in a counted loop) keep minItems/maxItems exact. */
    @org.junit.jupiter.api.Test
    void countedArraysAreExact() throws Exception {
        VocabularyTrie trie = TekkenTestVocabulary.trie();
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(
                "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2,\"maxItems\":7}"), trie);
        for (int n = 0; n <= 9; n++) {
            String doc = "[" + String.join(",", java.util.Collections.nCopies(n, "12")) + "]";
            assertEquals(n >= 2 && n <= 7, ConstraintTestSupport.acceptsBytes(m, doc), doc);
        }
        GrammarMatcher tuple = new GrammarMatcher(Grammar.jsonSchema("{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}],"
                + "\"items\":{\"type\":\"boolean\"},\"maxItems\":8}"), trie);
        assertTrue(ConstraintTestSupport.acceptsBytes(tuple, "[\"a\",true,false,true,true,false,true,true]"));
        assertFalse(ConstraintTestSupport.acceptsBytes(tuple, "[\"a\",true,false,true,true,false,true,true,true]"));
        assertFalse(ConstraintTestSupport.acceptsBytes(tuple, "[true]"));
        assertTrue(ConstraintTestSupport.acceptsBytes(tuple, "[]"));
    }
}
