package io.github.stackfold.flamegraph.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DiffProfileTest {
    static final FoldedProfile BEFORE = FoldedProfile.of(Map.of("m;a", 10L, "m;b", 30L, "m;gone", 10L));
    static final FoldedProfile AFTER = FoldedProfile.of(Map.of("m;a", 40L, "m;b", 30L, "m;new", 30L));

    @Test
    void everyStackOfEitherProfileGetsBothCountsZeroWhereAbsent() {
        DiffProfile d = DiffProfile.of(BEFORE, AFTER, DiffOptions.defaults());
        assertThat(d.toString()).isEqualTo("m;a 10 40\nm;b 30 30\nm;gone 10 0\nm;new 0 30\n");
        assertThat(d.beforeTotal()).isEqualTo(50);
        assertThat(d.afterTotal()).isEqualTo(100);
    }

    @Test
    void normalizeScalesTheFirstProfileToTheSecondsTotalTruncating() {
        DiffProfile d = DiffProfile.of(BEFORE, AFTER, DiffOptions.defaults().withNormalize(true));
        assertThat(d.toString()).isEqualTo("m;a 20 40\nm;b 60 30\nm;gone 20 0\nm;new 0 30\n");
        assertThat(DiffProfile.scale(10, 3, 4)).isEqualTo(7); // int(7.5)
        assertThat(DiffProfile.scale(1, 2, 3)).isZero();
        assertThat(DiffProfile.scale(Long.MAX_VALUE / 2, 4, 2)).isEqualTo((long) ((double) (Long.MAX_VALUE / 2) * 4 / 2));
    }

    @Test
    void stripHexMergesStacksThatDifferOnlyInAddresses() {
        FoldedProfile b = FoldedProfile.of(Map.of("m;f+0x1a 1", 0L, "m;f+0x1a", 2L, "m;f+0xBEEF", 3L));
        FoldedProfile a = FoldedProfile.of(Map.of("m;f+0x99", 7L));
        DiffProfile d = DiffProfile.of(b, a, DiffOptions.defaults().withStripHex(true));
        assertThat(d.toString()).contains("m;f+0x... 5 7\n");
        assertThat(DiffProfile.stripHex("0x 0xg 0x1f;0X2")).isEqualTo("0x 0xg 0x...;0X2");
    }

    @Test
    void writtenTextReadsBackAndOneCountLinesAreRejectedWithTheirLine() throws Exception {
        DiffProfile d = DiffProfile.of(BEFORE, AFTER, DiffOptions.defaults());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        d.write(out);
        DiffProfile back = DiffProfile.read(new ByteArrayInputStream(out.toByteArray()), "d");
        assertThat(back.toString()).isEqualTo(d.toString());
        assertThatThrownBy(() -> DiffProfile.read(new ByteArrayInputStream("m;a 1 2\nm;b 3\n".getBytes(StandardCharsets.ISO_8859_1)), "d.folded"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("d.folded:2: expected a differential folded line");
    }
}
