package io.github.stackfold.flamegraph.analyze;

import static io.github.stackfold.flamegraph.analyze.AnalyzerTest.folded;
import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.folded.FoldedProfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class ComparisonTest {
    static final String AUTHZ = "k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize";
    static final String LIST = "k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1";

    // idle: 1 of 10 samples authorization; loaded: 4 of 20 authorization, 8 of 20 under ListResource
    final FoldedProfile idle = folded("main;" + AUTHZ + " 1\nmain;runtime.mcall;runtime.schedule 9\n");
    final FoldedProfile loaded = folded("main;" + AUTHZ + " 4\nmain;" + LIST + ";encoding/json.Marshal 8\n"
            + "main;runtime.mcall;runtime.schedule 8\n");

    @Test
    void categorySharesBeforeAndAfterWithDeltas() {
        Comparison c = Analyzer.withDefaults().compare(idle, loaded);
        Comparison.CategoryChange authz = c.category("authorization").orElseThrow();
        assertThat(authz.inclusive().before()).isCloseTo(0.1, within(1e-12));
        assertThat(authz.inclusive().after()).isCloseTo(0.2, within(1e-12));
        assertThat(authz.inclusive().delta()).isCloseTo(0.1, within(1e-12));
        assertThat(c.category("serialization").orElseThrow().exclusive().delta()).isCloseTo(0.4, within(1e-12));
        assertThat(c.category("go-scheduler").orElseThrow().exclusive().delta()).isCloseTo(-0.5, within(1e-12));
        assertThat(c.categories().get(c.categories().size() - 1).name()).isEqualTo(Comparison.UNCLASSIFIED);
    }

    @Test
    void functionsThatGrewMostAreOrderedBySelfShareGrowth() {
        Comparison c = Analyzer.withDefaults().compare(idle, loaded);
        assertThat(c.grewMost()).extracting(Comparison.FunctionChange::name)
                .containsExactly("encoding/json.Marshal", AUTHZ);
        assertThat(c.grewMost().get(0).self().delta()).isCloseTo(0.4, within(1e-12));
        assertThat(c.function(LIST).inclusive().delta()).isCloseTo(0.4, within(1e-12));
        assertThat(c.function("runtime.schedule").self().delta()).isCloseTo(-0.5, within(1e-12));
    }

    @Test
    void comparisonAssertionsPassAndFailOnTheDeltas() {
        Comparison c = Analyzer.withDefaults().compare(idle, loaded);
        assertThat(c).function(LIST).grewBy(0.4);
        assertThat(c).function("encoding/json.Marshal").selfGrewBy(0.39);
        assertThat(c).function("runtime.schedule").didNotGrowBy(0.0);
        assertThat(c).category("authorization").grewBy(0.1).inclusiveDelta().isLessThan(0.11);
        assertThatThrownBy(() -> assertThat(c).function(LIST).grewBy(0.41))
                .isInstanceOf(AssertionError.class).hasMessageContaining(LIST).hasMessageContaining("at least 41.0 pp");
        assertThatThrownBy(() -> assertThat(c).category("authorization").didNotGrowBy(0.05))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertThat(c).category("no-such-category"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no-such-category");
    }

    @Test
    void profileAssertionsFailWithTheShareInTheMessage() {
        assertThat(loaded).category("authorization").inclusiveShare().isGreaterThan(0.19).isLessThan(0.21);
        assertThatThrownBy(() -> assertThat(loaded).category("authorization").inclusiveShare().isLessThan(0.05))
                .isInstanceOf(AssertionError.class).hasMessageContaining("authorization").hasMessageContaining("0.2");
        assertThat(loaded).function(LIST).inclusiveShare().isEqualTo(0.4);
        assertThat(loaded).withRules(Rules.builtIn("jvm")).category("gc").inclusiveShare().isZero();
    }

    @Test
    void comparisonJsonAndTextCarryTheDeltas() throws Exception {
        Comparison c = Analyzer.withDefaults().compare(idle, loaded);
        JsonNode j = new ObjectMapper().readTree(c.toJson());
        assertThat(j.get("before").get("samples").asLong()).isEqualTo(10);
        assertThat(j.get("after").get("samples").asLong()).isEqualTo(20);
        assertThat(j.get("grewMost").get(0).get("name").asText()).isEqualTo("encoding/json.Marshal");
        assertThat(c.toText()).contains("authorization").contains("+10.0pp").contains("  json.Marshal\n")
                .doesNotContain("encoding/json.Marshal");   // short Go names in text, full ones in the JSON
    }
}
