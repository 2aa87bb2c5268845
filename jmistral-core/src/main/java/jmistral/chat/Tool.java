package jmistral.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function the model may call.
 *
 * @param parameters JSON schema object (key order is kept: it is encoded into the prompt)
 */
public record Tool(String name, String description, JsonNode parameters) {}
