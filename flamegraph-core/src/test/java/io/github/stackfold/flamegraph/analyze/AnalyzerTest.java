package io.github.stackfold.flamegraph.analyze;

import static io.github.stackfold.flamegraph.assertions.ProfileAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Each counting rule of the analysis pinned on a small hand-written folded profile. */
class AnalyzerTest {
    static final double EPS = 1e-12;

    static FoldedProfile folded(String text) {
        try {
            return FoldedProfile.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Report analyze(String text) {
        return Analyzer.withDefaults().analyze(folded(text));
    }

    static Report analyze(Rules rules, String text) {
        return Analyzer.create(Analyzer.Options.of(rules)).analyze(folded(text));
    }

    @Test
    void firstMatchingCategoryWins() {
        Rules rules = Rules.of("t", true, List.of(),
                List.of(new Rules.Category("first", List.of("pkg/a.")), new Rules.Category("second", List.of("pkg/"))),
                List.of(), List.of());
        Report r = analyze(rules, "main;pkg/a.F 3\nmain;pkg/b.G 1\n");
        assertThat(r.category("first").orElseThrow().exclusive()).isCloseTo(0.75, within(EPS));
        assertThat(r.category("second").orElseThrow().exclusive()).isCloseTo(0.25, within(EPS));
    }

    @Test
    void defaultRulesPutTheAuthenticatorBeforeSerialization() {
        // gopkg.in/square/go-jose decodes JSON itself: authentication is listed before serialization
        assertThat(folded("main;gopkg.in/square/go-jose.v2.ParseSigned;gopkg.in/square/go-jose.v2/json.Unmarshal 1\n"))
                .category("authentication").exclusiveShare().isEqualTo(1.0);
    }

    @Test
    void exclusiveGoesToTheLeafMostClassifiedFrameAndInclusiveToEveryCategoryOnTheStack() {
        Report r = analyze(""
                + "main;k8s.io/apiserver/pkg/authentication/token/cache.(*cachedTokenAuthenticator).AuthenticateToken;"
                + "encoding/json.Unmarshal;runtime.mallocgc 3\n"
                + "main;k8s.io/apiserver/pkg/authentication/token/cache.(*cachedTokenAuthenticator).AuthenticateToken;runtime.memmove 1\n"
                + "main;runtime.memmove 4\n");
        assertThat(r.category("serialization").orElseThrow().exclusive()).isCloseTo(3 / 8.0, within(EPS));
        assertThat(r.category("serialization").orElseThrow().inclusive()).isCloseTo(3 / 8.0, within(EPS));
        assertThat(r.category("authentication").orElseThrow().exclusive()).isCloseTo(1 / 8.0, within(EPS));
        assertThat(r.category("authentication").orElseThrow().inclusive()).isCloseTo(4 / 8.0, within(EPS));
        assertThat(r.unclassified()).isCloseTo(4 / 8.0, within(EPS));
    }

    @Test
    void vendorPrefixIsStrippedBeforeMatchingAndInEveryName() {
        Report r = analyze("main;k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 2\n"
                + "main;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 2\n");
        assertThat(r.category("authorization").orElseThrow().exclusive()).isEqualTo(1.0);
        assertThat(r.topSelf()).containsExactly(
                new Report.FunctionShare("k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize", 1.0));
        assertThat(r.hotPaths()).containsExactly(
                new Report.PathShare("main;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize", 1.0));
    }

    @Test
    void filterWrappersAreNotCategoryFrames() {
        // withAuthentication and WithAuthorization call the authenticator / authorizer AND the rest of the
        // chain: only the work under the authenticator is authentication
        String chain = "net/http.(*conn).serve;net/http.serverHandler.ServeHTTP;net/http.HandlerFunc.ServeHTTP;"
                + "k8s.io/apiserver/pkg/endpoints/filters.withAuthentication.func1;";
        Report r = analyze(""
                + chain + "k8s.io/apiserver/pkg/authentication/request/bearertoken.(*Authenticator).AuthenticateRequest;runtime.mallocgc 1\n"
                + chain + "net/http.HandlerFunc.ServeHTTP;k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1;"
                + "net/http.HandlerFunc.ServeHTTP;k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1;runtime.mallocgc 3\n");
        assertThat(r.category("authentication").orElseThrow().inclusive()).isCloseTo(0.25, within(EPS));
        assertThat(r.category("authorization").orElseThrow().inclusive()).isZero();
        assertThat(r.unclassified()).isCloseTo(0.75, within(EPS));
    }

    @Test
    void aWrapperWinsOverACategoryPrefixThatWouldMatchIt() {
        Rules rules = Rules.of("t", true, List.of("k8s.io/apiserver/pkg/endpoints/filters."),
                List.of(new Rules.Category("authentication", List.of("k8s.io/apiserver/pkg/endpoints/filters.withAuthentication"))),
                List.of(), List.of());
        Report r = analyze(rules, "main;k8s.io/apiserver/pkg/endpoints/filters.withAuthentication.func1;handler 1\n");
        assertThat(r.category("authentication").orElseThrow().inclusive()).isZero();
    }

    @Test
    void categoriesAboveAWrapperDoNotOwnTheChainBelowIt() {
        // flow control's Handle runs the rest of the handler chain through the filter's closure: the
        // handler's work is not flow control, neither inclusive nor as the leaf-most classified frame
        String apf = "k8s.io/apiserver/pkg/server/filters.WithPriorityAndFairness.func2;"
                + "k8s.io/apiserver/pkg/util/flowcontrol.(*configController).Handle;"
                + "k8s.io/apiserver/pkg/util/flowcontrol.(*configController).Handle.func2;";
        Report r = analyze(""
                + apf + "k8s.io/apiserver/pkg/server/filters.WithPriorityAndFairness.func2.9;net/http.HandlerFunc.ServeHTTP;"
                + "k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource.func1;runtime.mallocgc 3\n"
                + apf + "k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset.(*queueSet).StartRequest 1\n");
        assertThat(r.category("flowcontrol").orElseThrow().inclusive()).isCloseTo(0.25, within(EPS));
        assertThat(r.category("flowcontrol").orElseThrow().exclusive()).isCloseTo(0.25, within(EPS));
        assertThat(r.unclassified()).isCloseTo(0.75, within(EPS));
        // without the wrappers the same stacks would all be flow control
        Rules noWrappers = Rules.of("t", true, List.of(), Rules.kubeApiserver().categories(), List.of(), List.of());
        assertThat(analyze(noWrappers, "" + apf + "x;runtime.mallocgc 3\n" + apf + "y 1\n")
                .category("flowcontrol").orElseThrow().inclusive()).isEqualTo(1.0);
    }

    @Test
    void inclusiveSharesCountAFunctionAndACategoryOncePerStack() {
        Report r = analyze("main;encoding/json.(*decodeState).value;encoding/json.(*decodeState).object;"
                + "encoding/json.(*decodeState).value;encoding/json.(*decodeState).object;runtime.mallocgc 2\nmain;idle 2\n");
        assertThat(r.inclusiveShare("encoding/json.(*decodeState).value")).isCloseTo(0.5, within(EPS));
        assertThat(r.category("serialization").orElseThrow().inclusive()).isCloseTo(0.5, within(EPS));
        assertThat(r.inclusiveShare("main")).isEqualTo(1.0);
        assertThat(r.selfShare("runtime.mallocgc")).isCloseTo(0.5, within(EPS));
    }

    @Test
    void topListsAreHeaviestFirstWithTiesInNameOrderAndCutAtN() {
        Analyzer a = Analyzer.create(new Analyzer.Options(Rules.kubeApiserver(), 2));
        Report r = a.analyze(folded("m;c 1\nm;b 2\nm;a 2\nm;b;x 1\n"));
        assertThat(r.topSelf()).extracting(Report.FunctionShare::name).containsExactly("a", "b");
        assertThat(r.topInclusive()).extracting(Report.FunctionShare::name).containsExactly("m", "b");
        assertThat(r.topInclusive().get(1).share()).isCloseTo(3 / 6.0, within(EPS));
        assertThat(r.hotPaths()).extracting(Report.PathShare::stack).containsExactly("m;a", "m;b");
    }

    @Test
    void hotPathsMergeStacksThatAreEqualOnceVendorPrefixesAreGone() {
        Report r = analyze("main;a/vendor/x.F 1\nmain;b/vendor/x.F 2\nmain;y.G 2\n");
        assertThat(r.hotPaths().get(0)).isEqualTo(new Report.PathShare("main;x.F", 0.6));
    }

    @Test
    void apiCallsTakeTheLeafMostVerbAndTheRootMostTypedFrameBelowIt() {
        String list = "k8s.io/apiserver/pkg/endpoints.restfulListResource.func1;k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1;";
        Report r = analyze(""
                + list + "k8s.io/apiserver/pkg/endpoints/handlers.serveWatch;k8s.io/apiserver/pkg/endpoints/handlers.(*WatchServer).ServeHTTP;"
                + "k8s.io/api/core/v1.(*Pod).Marshal;k8s.io/api/core/v1.(*PodSpec).MarshalToSizedBuffer 2\n"
                + list + "k8s.io/api/core/v1.(*PodList).Marshal;k8s.io/api/core/v1.(*Pod).MarshalToSizedBuffer 1\n"
                + "k8s.io/apiserver/pkg/endpoints.restfulUpdateResource.func1;k8s.io/apiserver/pkg/endpoints/handlers.UpdateResource.func1;runtime.mallocgc 1\n"
                + "k8s.io/apiserver/pkg/storage/cacher.(*Cacher).dispatchEvents;k8s.io/api/coordination/v1.(*Lease).Unmarshal 4\n");
        assertThat(r.apiCalls()).containsExactly(
                new Report.ApiCallShare("watch", "core/v1.Pod", 0.25),
                new Report.ApiCallShare("list", "core/v1.Pod", 0.125),
                new Report.ApiCallShare("update", "?", 0.125));
        assertThat(r.apiCallsTotal()).isCloseTo(0.5, within(EPS));
    }

    @Test
    void aSampleCountMayBeGivenApartFromTheWeights() {
        FoldedProfile p = folded("main;f 20000000\nmain;g 10000000\n");
        Report r = Analyzer.withDefaults().analyze(p, 3);
        assertThat(r.total()).isEqualTo(30000000);
        assertThat(r.samples()).isEqualTo(3);
        // without a count, counts that are all multiples of 10,000,000 are read as periods (the note says
        // so): 3 samples of 10 ms, not 30,000,000 samples (margins of ±0.0)
        assertThat(Analyzer.withDefaults().analyze(p).samples()).isEqualTo(3);
        assertThat(Analyzer.withDefaults().analyze(folded("main;f 2\nmain;g 1\n")).samples()).isEqualTo(3);
    }

    @Test
    void anEmptyProfileIsNoSamples() {
        assertThatThrownBy(() -> Analyzer.withDefaults().analyze(FoldedProfile.empty()))
                .isInstanceOf(NoSamplesException.class);
    }

    @Test
    void jsonHoldsTheFieldsTheIssueAsksFor() throws IOException {
        Report r = analyze("main;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 1\nmain;f 3\n");
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("total").asLong()).isEqualTo(4);
        assertThat(j.get("samples").asLong()).isEqualTo(4);
        assertThat(j.get("categories")).hasSize(Rules.kubeApiserver().categories().size());
        JsonNode authz = j.get("categories").get(Rules.kubeApiserver().indexOf("authorization"));
        assertThat(authz.get("name").asText()).isEqualTo("authorization");
        assertThat(authz.get("exclusive").asDouble()).isEqualTo(0.25);
        assertThat(authz.get("inclusive").asDouble()).isEqualTo(0.25);
        assertThat(j.get("topSelf").get(0).get("name").asText()).isEqualTo("f");
        assertThat(j.get("topSelf").get(0).get("share").asDouble()).isEqualTo(0.75);
        assertThat(j.get("topInclusive").get(0).get("name").asText()).isEqualTo("main");
        assertThat(j.get("hotPaths").get(0).get("stack").asText()).isEqualTo("main;f");
        assertThat(j.get("hotPaths").get(0).get("share").asDouble()).isEqualTo(0.75);
        assertThat(j.has("apiCalls")).isTrue();
        assertThat(j.get("unclassified").asDouble()).isEqualTo(0.75);
    }

    @Test
    void textReportShowsCategoriesInPercent() {
        String t = analyze("main;k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize 1\nmain;f 3\n").toText();
        assertThat(t).contains("authorization").contains("25.0%").contains("(unclassified)").contains("75.0%");
    }
}
