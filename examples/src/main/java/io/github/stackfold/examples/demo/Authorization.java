package io.github.stackfold.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Second filter: RBAC-like rule matching. Roles hold rules (verbs, resources, resource names, with
 * {@code *} wildcards); bindings give a role to users and groups, in one namespace or cluster-wide.
 * Like the apiserver's RBAC authorizer it scans every binding that applies to the caller and every
 * rule of the bound roles until one allows the request, so its cost grows with the policy's size.
 */
public final class Authorization {
    /** One rule of a role; an empty {@code resourceNames} means any name. */
    public record PolicyRule(Set<String> verbs, Set<String> resources, Set<String> resourceNames) {
    }

    /** A role; {@code namespace} is {@code null} for a cluster role. */
    public record Role(String namespace, String name, List<PolicyRule> rules) {
    }

    /**
     * Gives {@code roleName} to subjects ({@code user:NAME} or {@code group:NAME}); {@code namespace}
     * {@code null} binds cluster-wide.
     */
    public record Binding(String namespace, String roleName, List<String> subjects) {
    }

    private final Map<String, Role> roles;
    private final List<Binding> bindings;

    public Authorization(List<Role> roles, List<Binding> bindings) {
        this.roles = roles.stream().collect(Collectors.toUnmodifiableMap(
                r -> key(r.namespace(), r.name()), Function.identity()));
        this.bindings = List.copyOf(bindings);
    }

    /** Whether {@code user} may {@code verb} the {@code resource} (named {@code name}, may be null) in {@code namespace}. */
    public boolean authorize(UserInfo user, String verb, String resource, String namespace, String name) {
        for (Binding b : bindings) {
            if (b.namespace() != null && !b.namespace().equals(namespace)) {
                continue;
            }
            if (!appliesTo(b, user)) {
                continue;
            }
            Role role = roles.get(key(b.namespace(), b.roleName()));
            if (role == null) {
                role = roles.get(key(null, b.roleName()));
            }
            if (role != null && allows(role, verb, resource, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean appliesTo(Binding b, UserInfo user) {
        for (String s : b.subjects()) {
            if (s.startsWith("user:")) {
                if (s.regionMatches(5, user.name(), 0, user.name().length()) && s.length() == 5 + user.name().length()) {
                    return true;
                }
            } else if (s.startsWith("group:")) {
                for (String g : user.groups()) {
                    if (s.regionMatches(6, g, 0, g.length()) && s.length() == 6 + g.length()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean allows(Role role, String verb, String resource, String name) {
        for (PolicyRule r : role.rules()) {
            if (matches(r.verbs(), verb) && matches(r.resources(), resource)
                    && (r.resourceNames().isEmpty() || (name != null && r.resourceNames().contains(name)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Set<String> allowed, String value) {
        return allowed.contains("*") || allowed.contains(value);
    }

    private static String key(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    /**
     * A policy shaped like a small cluster's: {@code bulk} irrelevant bindings and roles (operators,
     * controllers) scanned before the ones the demo's callers need. {@code group:system:masters} may
     * do anything; {@code group:developers} may get, list, create pods in every namespace in
     * {@code namespaces}; {@code group:viewers} may get and list; anyone else is denied.
     */
    public static Authorization demoPolicy(List<String> namespaces, int bulk) {
        List<Role> roles = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();
        for (int i = 0; i < bulk; i++) {
            String ns = namespaces.get(i % namespaces.size());
            List<PolicyRule> rules = new ArrayList<>();
            for (int j = 0; j < 6; j++) {
                rules.add(new PolicyRule(Set.of("get", "watch"), Set.of("configmaps-" + j, "secrets-" + i),
                        Set.of("controller-" + i + "-" + j)));
            }
            roles.add(new Role(ns, "operator-" + i, rules));
            bindings.add(new Binding(ns, "operator-" + i,
                    List.of("user:system:serviceaccount:" + ns + ":operator-" + i, "group:operators-" + i)));
        }
        roles.add(new Role(null, "cluster-admin", List.of(new PolicyRule(Set.of("*"), Set.of("*"), Set.of()))));
        roles.add(new Role(null, "edit", List.of(
                new PolicyRule(Set.of("get", "list", "watch"), Set.of("pods", "services", "configmaps"), Set.of()),
                new PolicyRule(Set.of("create", "update", "patch", "delete"), Set.of("pods"), Set.of()))));
        roles.add(new Role(null, "view", List.of(
                new PolicyRule(Set.of("get", "list", "watch"), Set.of("pods", "services"), Set.of()))));
        for (String ns : namespaces) {
            bindings.add(new Binding(ns, "edit", List.of("group:developers")));
            bindings.add(new Binding(ns, "view", List.of("group:viewers")));
        }
        bindings.add(new Binding(null, "view", List.of("group:viewers")));
        bindings.add(new Binding(null, "cluster-admin", List.of("group:system:masters")));
        return new Authorization(roles, bindings);
    }
}
