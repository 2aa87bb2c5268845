package jmistral.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function the model may call.
 *
 * @param parameters JSON schema object (key order is kept: it is encoded into the prompt)
 */
public record Tool(String name, String description, JsonNode parameters) {

    /** A tool whose parameters schema is given as JSON text; bad JSON is a ChatValidationException. */
    public static Tool of(String name, String description, String parametersJson) {
        try {
            return new Tool(name, description, PyJson.mapper().readTree(parametersJson));
        } catch (java.io.IOException e) {
            throw new ChatValidationException("tools[" + name + "].parameters", "not valid JSON: " + e.getMessage());
        }
    }
}
