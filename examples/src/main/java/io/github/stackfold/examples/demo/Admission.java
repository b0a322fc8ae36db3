package io.github.stackfold.examples.demo;

import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Third filter, for writes only: mutating admission (defaults, uid, timestamp, who created it) then
 * validating admission (DNS-1123 names, label syntax, containers with images, quantity syntax), in
 * the order the apiserver runs its admission plugins.
 */
public final class Admission {
    private static final Pattern DNS1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|k|M|G)?");

    /** A rejected object, with the reason the client gets back. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Mutates {@code pod} in place and validates it; throws {@link Rejected} when invalid. */
    public void admit(UserInfo user, String namespace, ObjectNode pod, long nowEpochMillis) throws Rejected {
        mutate(user, namespace, pod, nowEpochMillis);
        validate(pod);
    }

    void mutate(UserInfo user, String namespace, ObjectNode pod, long nowEpochMillis) {
        ObjectNode meta = pod.with("metadata");
        meta.put("namespace", namespace);
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", java.time.Instant.ofEpochMilli(nowEpochMillis).toString());
        ObjectNode labels = meta.with("labels");
        if (!labels.has("app")) {
            labels.put("app", meta.path("name").asText("unnamed"));
        }
        meta.with("annotations").put("demo.stackfold.io/created-by", user.name());
        for (JsonNode c : pod.with("spec").withArray("containers")) {
            if (c instanceof ObjectNode oc && !oc.has("imagePullPolicy")) {
                oc.put("imagePullPolicy", oc.path("image").asText().endsWith(":latest") ? "Always" : "IfNotPresent");
            }
        }
    }

    void validate(ObjectNode pod) throws Rejected {
        JsonNode meta = pod.path("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty() || name.length() > 253 || !DNS1123.matcher(name).matches()) {
            throw new Rejected("metadata.name: '" + name + "' is not a DNS-1123 subdomain");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.path("labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!LABEL_KEY.matcher(e.getKey()).matches() || !LABEL_VALUE.matcher(e.getValue().asText()).matches()) {
                throw new Rejected("metadata.labels: '" + e.getKey() + "' is not a valid label");
            }
        }
        JsonNode containers = pod.path("spec").path("containers");
        if (!(containers instanceof ArrayNode) || containers.isEmpty()) {
            throw new Rejected("spec.containers: at least one container is required");
        }
        for (JsonNode c : containers) {
            if (c.path("image").asText("").isEmpty()) {
                throw new Rejected("spec.containers.image: required");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path("resources").path("requests").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!QUANTITY.matcher(e.getValue().asText()).matches()) {
                    throw new Rejected("resources.requests." + e.getKey() + ": '" + e.getValue().asText() + "' is not a quantity");
                }
            }
        }
    }
}
