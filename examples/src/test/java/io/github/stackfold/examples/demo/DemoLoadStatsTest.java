package io.github.stackfold.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DemoLoadStatsTest {

    /** The demo's load summary says what -1 (no HTTP response) is, where it used to print {-1=419, 200=3488}. */
    @Test
    void requestsWithoutAResponseAreNamedNotMinusOne() {
        DemoLoad.Stats s = DemoLoad.Stats.sum(List.of(Map.of(-1, 400L, 200, 3000L), Map.of(-1, 19L, 200, 488L, 408, 4L)));
        assertThat(s.requests()).isEqualTo(3911);
        assertThat(s.byStatusText())
                .isEqualTo("200: 3488, 408: 4, no response: 419 (connection failed or timed out after 5 s)");
        assertThat(DemoLoad.Stats.sum(List.of(Map.of(200, 2L))).byStatusText()).isEqualTo("200: 2");
    }
}
