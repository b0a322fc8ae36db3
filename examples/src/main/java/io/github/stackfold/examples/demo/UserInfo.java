package io.github.stackfold.examples.demo;

import java.util.List;

/** The authenticated caller: a user name and its groups, as the apiserver's {@code user.Info}. */
public record UserInfo(String name, List<String> groups) {
    public UserInfo {
        groups = List.copyOf(groups);
    }
}
