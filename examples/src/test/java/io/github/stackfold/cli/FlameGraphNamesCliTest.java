package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** {@code flame flamegraph --names}: short Go labels by default, full on request, a bad value a usage error. */
class FlameGraphNamesCliTest {
    static final String GO = "apiserver;net/http.(*conn).serve;k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1 10\n";

    record Run(int code, String out, String err) {
    }

    static Run flame(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(args, new ByteArrayInputStream(GO.getBytes(StandardCharsets.US_ASCII)), out, err);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void goLabelsAreShortByDefaultAndFullOnRequestWhileTooltipsKeepTheFullName() {
        Run auto = flame("flamegraph");
        assertThat(auto.code).isZero();
        assertThat(auto.out).contains(">filters.WithAuthorization.func1</text>")
                .contains("<title>k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1 (10 samples");
        Run full = flame("flamegraph", "--names", "full");
        assertThat(full.out).contains(">k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1</text>")
                .doesNotContain("<g data-short");
        Run bad = flame("flamegraph", "--names=tiny");
        assertThat(bad.code).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err).contains("unknown name style 'tiny' (expected short, full or auto)").doesNotContain("\tat ");
    }
}
