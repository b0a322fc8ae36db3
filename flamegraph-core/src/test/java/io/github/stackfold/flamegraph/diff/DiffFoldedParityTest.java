package io.github.stackfold.flamegraph.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * difffolded.pl splits a line with {@code /^(.*)\s+?(\d+(?:\.\d*)?)$/}: the stack is everything up to
 * the <em>last</em> blank before the count, so {@code a;b;  3} (two spaces) is the stack {@code a;b; }
 * (a frame named by a blank), as flamegraph.pl reads it too. The shared differential inputs are
 * difffolded.pl's output; {@code diff-vertx-java.folded} has such a stack (line 64, ending in
 * {@code ; }). Split back into the two folded profiles difffolded.pl was given (a stack goes to a side
 * where its count is not 0; difffolded.pl run on those two files here gives the shared file again,
 * in another order), they must diff into the same lines, and the differential text must read back the same.
 */
class DiffFoldedParityTest {
    @ParameterizedTest
    @ValueSource(strings = {"diff-vertx-java.folded", "diff-normalized.folded"})
    void theTwoSidesOfADifffoldedOutputDiffBackIntoIt(String name) throws Exception {
        Path file = Shared.path("conformance/flamegraph/folded/" + name);
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        StringBuilder before = new StringBuilder();
        StringBuilder after = new StringBuilder();
        for (String line : lines) {
            int s2 = line.lastIndexOf(' ');
            int s1 = line.lastIndexOf(' ', s2 - 1);
            String stack = line.substring(0, s1);
            if (!line.substring(s1 + 1, s2).equals("0")) {
                before.append(stack).append(' ').append(line, s1 + 1, s2).append('\n');
            }
            if (!line.substring(s2 + 1).equals("0")) {
                after.append(stack).append(' ').append(line.substring(s2 + 1)).append('\n');
            }
        }
        DiffProfile d = DiffProfile.of(read(before), read(after), DiffOptions.defaults());
        List<String> expected = new ArrayList<>(lines);
        expected.sort(null);
        List<String> actual = new ArrayList<>(List.of(d.toString().split("\n")));
        actual.sort(null);
        assertThat(actual).isEqualTo(expected);
        if (name.equals("diff-vertx-java.folded")) {
            assertThat(actual).anySatisfy(l -> assertThat(l).endsWith(";sun/nio/ch/FileDispatcherImpl:.write0_[j];  3 0"));
        }

        DiffProfile back = DiffProfile.read(new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1)), name);
        assertThat(back.toString()).isEqualTo(d.toString());
    }

    static FoldedProfile read(CharSequence text) throws Exception {
        return FoldedProfile.read(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.ISO_8859_1)), "t");
    }
}
