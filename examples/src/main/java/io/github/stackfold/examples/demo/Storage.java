package io.github.stackfold.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The storage layer: a sorted key-value map of serialized objects under
 * {@code /registry/pods/NAMESPACE/NAME}, the layout the apiserver uses in etcd. Every read decodes the
 * stored bytes, as the apiserver decodes what etcd returns.
 */
public final class Storage {
    private static final String PREFIX = "/registry/pods/";
    private final ConcurrentSkipListMap<String, byte[]> kv = new ConcurrentSkipListMap<>();
    private final JsonCodec codec;

    public Storage(JsonCodec codec) {
        this.codec = codec;
    }

    /** Stores a new pod; false when one of that name exists. */
    public boolean create(String namespace, String name, ObjectNode pod) {
        return kv.putIfAbsent(PREFIX + namespace + "/" + name, codec.encode(pod)) == null;
    }

    /** The pod, or {@code null}. */
    public ObjectNode get(String namespace, String name) {
        byte[] b = kv.get(PREFIX + namespace + "/" + name);
        return b == null ? null : codec.decode(b);
    }

    /** Every pod in {@code namespace}, or in all namespaces when it is {@code null}, in key order. */
    public List<ObjectNode> list(String namespace) {
        String from = namespace == null ? PREFIX : PREFIX + namespace + "/";
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : kv.tailMap(from).entrySet()) {
            if (!e.getKey().startsWith(from)) {
                break;
            }
            out.add(codec.decode(e.getValue()));
        }
        return out;
    }

    public int size() {
        return kv.size();
    }
}
