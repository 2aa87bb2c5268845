package jmistral.server;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The server's JSON mapper, with parsing limits a client body must stay under (a breach is a
 * {@code JsonProcessingException}, answered as a 400 naming the limit): nesting depth, number length,
 * string length (room for an image as a data URL within the body limit) and property-name length.
 */
final class RequestJson {
    /** Real requests nest well under 20 levels (messages, content parts, tool schemas). */
    static final int MAX_DEPTH = 128;
    /** Digits in one number (Jackson's default is 1000; no API field needs more than a few dozen). */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Characters in one string: a base64 image data URL of a large body fits. */
    static final int MAX_STRING_LENGTH = 100_000_000;
    /** Characters in one property name. */
    static final int MAX_NAME_LENGTH = 10_000;

    private RequestJson() {}

    static ObjectMapper mapper() {
        ObjectMapper m = JsonMapper.builder().build();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .build());
        return m;
    }
}
