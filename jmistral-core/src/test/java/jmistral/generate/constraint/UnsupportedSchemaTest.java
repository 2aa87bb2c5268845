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
        "{'type':'string','maxLength':100000000}                                   | (size)            | ''",
    })
    void rejected(String schema, String keyword, String pointer) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> Grammar.jsonSchema(schema.replace('\'', '"')));
        assertEquals(keyword, e.keyword(), e.getMessage());
        if (!keyword.equals("(size)")) assertEquals(pointer, e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + keyword + "'"), e.getMessage());
    }
}
