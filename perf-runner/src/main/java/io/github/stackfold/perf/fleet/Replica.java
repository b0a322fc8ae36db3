package io.github.stackfold.perf.fleet;

import java.util.Objects;

/**
 * One kube-apiserver replica, an endpoint of the {@code kubernetes} Service: the address and port
 * its EndpointSlice lists, and the node when the slice names one.
 *
 * @param address the IP address, e.g. {@code 10.0.0.2} or {@code fd00::2}
 * @param port    the secure port, e.g. {@code 6443}
 * @param node    the node's name, or empty when the slice gives none (the {@code kubernetes}
 *                Service's slices usually do not)
 */
public record Replica(String address, int port, String node) {
    public Replica {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(node, "node");
        if (address.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not an endpoint: '" + address + "' port " + port);
        }
    }

    /** {@code ADDRESS:PORT} ({@code [ADDRESS]:PORT} for IPv6): the {@code instance} label of its profiles. */
    public String instance() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    /** The instance as a file name: {@code 10.0.0.2_6443}, {@code fd00__2_6443}. */
    public String fileName() {
        return instance().replace("[", "").replace("]", "").replace(':', '_');
    }

    @Override
    public String toString() {
        return instance() + (node.isEmpty() ? "" : " (" + node + ")");
    }
}
