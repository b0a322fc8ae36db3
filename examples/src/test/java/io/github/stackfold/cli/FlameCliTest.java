package io.github.stackfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FlameCliTest {

    @Test
    void unknownOptionIsAUsageErrorOnOneLineWithoutStackTrace() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlameCli.run(new String[] {"--no-such-option"}, new ByteArrayInputStream(new byte[0]), out, err);
        String e = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(e).startsWith("flame: ").doesNotContain("\tat ");
        assertThat(out.size()).isZero();
    }

    @Test
    void brokenPipeEndsQuietly() {
        assertThat(FlameCli.isBrokenPipe(new java.io.IOException("Broken pipe"))).isTrue();
        assertThat(FlameCli.isBrokenPipe(new java.io.IOException("No space left on device"))).isFalse();
    }
}
