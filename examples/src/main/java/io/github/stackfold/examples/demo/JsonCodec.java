package io.github.stackfold.examples.demo;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON encoding and decoding of the demo's objects (Jackson), the counterpart of the apiserver's
 * serializers: storage keeps bytes, every read decodes them and every response encodes again.
 */
public final class JsonCodec {
    private final ObjectMapper mapper = new ObjectMapper();

    public byte[] encode(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object in {@code bytes}; throws {@link IllegalArgumentException} when it is not a JSON object. */
    public ObjectNode decode(byte[] bytes) {
        JsonNode n;
        try {
            n = mapper.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return (ObjectNode) n;
    }

    public ObjectNode newObject() {
        return mapper.createObjectNode();
    }
}
