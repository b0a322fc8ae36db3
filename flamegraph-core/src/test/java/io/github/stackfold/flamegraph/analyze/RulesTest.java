package io.github.stackfold.flamegraph.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.BadInputException;
import io.github.stackfold.testing.Shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesTest {

    static Rules json(String text) throws IOException {
        return Rules.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "rules.json", false);
    }

    @Test
    void yamlAndJsonRuleFilesMeanTheSame(@TempDir Path dir) throws IOException {
        Path y = dir.resolve("mine.yaml");
        Files.writeString(y, ""
                + "name: mine\n"
                + "wrappers: [\"example.com/filters.\"]\n"
                + "categories:\n"
                + "  - name: db\n"
                + "    prefixes: [\"database/sql.\", \"github.com/lib/pq.\"]\n"
                + "  - name: json\n"
                + "    prefixes:\n"
                + "      - encoding/json.\n");
        Path j = dir.resolve("mine.json");
        Files.writeString(j, "{\"name\": \"mine\", \"wrappers\": [\"example.com/filters.\"], \"categories\": ["
                + "{\"name\": \"db\", \"prefixes\": [\"database/sql.\", \"github.com/lib/pq.\"]},"
                + "{\"name\": \"json\", \"prefixes\": [\"encoding/json.\"]}]}");
        Rules a = Rules.read(y);
        Rules b = Rules.read(j);
        assertThat(a.categories()).isEqualTo(b.categories());
        assertThat(a.wrappers()).isEqualTo(b.wrappers()).containsExactly("example.com/filters.");
        assertThat(a.classify("github.com/lib/pq.(*conn).query")).isEqualTo(0);
        assertThat(a.classify("encoding/json.Marshal")).isEqualTo(1);
        assertThat(a.classify("example.com/filters.WithX.func1")).isEqualTo(Rules.WRAPPER);
        assertThat(a.classify("main.main")).isEqualTo(Rules.NONE);
        assertThat(a.stripVendor()).isTrue();
    }

    @Test
    void malformedRuleFileNamesFileAndLine() {
        assertThatThrownBy(() -> json("{\"categories\": [\n{\"name\": \"x\", \"prefixes\": [\"a\"]\n,,]}"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("rules.json:3: expected a JSON rule file");
    }

    @Test
    void unknownKeysAreRejectedSoTyposDoNotSilentlyDropRules() {
        assertThatThrownBy(() -> json("{\"categories\": [], \"wrapers\": []}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("unknown key 'wrapers'");
        assertThatThrownBy(() -> json("{\"categories\": [{\"name\": \"x\", \"prefix\": [\"a\"]}]}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("unknown key 'prefix'");
        assertThatThrownBy(() -> json("{\"categories\": [{\"name\": \"x\", \"prefixes\": [\"a\"]}, {\"name\": \"x\"}]}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("names 'x' twice");
        assertThatThrownBy(() -> json("{\"name\": \"no categories\"}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'categories'");
        assertThatThrownBy(() -> json("{\"categories\": [], \"apiCalls\": {\"resources\": [\"(\"]}}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("bad regular expression");
    }

    @Test
    void builtInEtcdRulesClassifyEtcdFrames() {
        Rules etcd = Rules.builtIn("etcd");
        assertThat(name(etcd, "go.etcd.io/etcd/server/v3/wal.(*WAL).sync")).isEqualTo("wal");
        assertThat(name(etcd, "go.etcd.io/bbolt.(*Tx).Commit")).isEqualTo("boltdb");
        assertThat(name(etcd, "go.etcd.io/etcd/raft/v3.(*raft).Step")).isEqualTo("raft");
        assertThat(name(etcd, "syscall.Fdatasync")).isEqualTo("disk-sync");
        assertThat(name(etcd, "syscall.Syscall")).isNull();
        assertThat(name(etcd, "net.(*conn).Write")).isEqualTo("network");
        // the syscall frames below an fsync are no category's, so the fsync is the leaf-most classified frame
        Report r = Analyzer.create(Analyzer.Options.of(etcd)).analyze(AnalyzerTest.folded(
                "go.etcd.io/bbolt.(*Tx).Commit;go.etcd.io/bbolt.fdatasync;syscall.Fdatasync;syscall.Syscall;"
                        + "runtime/internal/syscall.Syscall6 3\n"
                        + "google.golang.org/grpc.(*Server).processUnaryRPC;go.etcd.io/etcd/etcdserver/etcdserverpb._KV_Put_Handler;"
                        + "github.com/grpc-ecosystem/go-grpc-prometheus.(*ServerMetrics).UnaryServerInterceptor.func1;"
                        + "go.etcd.io/etcd/etcdserver/etcdserverpb._KV_Put_Handler.func1;go.etcd.io/etcd/etcdserver.(*EtcdServer).Put;"
                        + "runtime.mallocgc 1\n"));
        assertThat(r.category("disk-sync").orElseThrow().exclusive()).isEqualTo(0.75);
        assertThat(r.category("boltdb").orElseThrow().inclusive()).isEqualTo(0.75);
        assertThat(r.category("grpc").orElseThrow().inclusive()).isZero();
        assertThat(name(etcd, "go.etcd.io/etcd/mvcc/backend.(*batchTx).commit")).isEqualTo("mvcc");
    }

    @Test
    void builtInJvmRulesClassifyHotSpotAndJavaFramesInEachSpelling() {
        Rules jvm = Rules.builtIn("jvm");
        assertThat(name(jvm, "G1ParScanThreadState::trim_queue")).isEqualTo("gc");
        assertThat(name(jvm, "C2Compiler::compile_method")).isEqualTo("jit-compiler");
        assertThat(name(jvm, "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextToken")).isEqualTo("serialization");
        assertThat(name(jvm, "Lcom/fasterxml/jackson/core/json/UTF8StreamJsonParser;::nextToken")).isEqualTo("serialization");
        assertThat(name(jvm, "sun.nio.ch.EPollSelectorImpl.doSelect")).isEqualTo("network-io");
        assertThat(jvm.stripVendor()).isFalse();
    }

    @Test
    void jvmRulesDropTheReturnTypeThatTheJdkPerfMapPutsBeforeAMethod() {
        // names as they appear in a real perf recording of a JVM with a perf map (../shared/bench)
        Rules jvm = Rules.builtIn("jvm");
        assertThat(jvm.normalize("java.lang.Object java.util.HashMap.merge")).isEqualTo("java.util.HashMap.merge");
        assertThat(jvm.normalize("java.util.HashMap$Node[] java.util.HashMap.resize")).isEqualTo("java.util.HashMap.resize");
        assertThat(jvm.normalize("void Busy.deflate")).isEqualTo("Busy.deflate");
        assertThat(jvm.normalize("G1ParScanThreadState::trim_queue_to_threshold"))
                .isEqualTo("G1ParScanThreadState::trim_queue_to_threshold");
        assertThat(jvm.normalize("[libz.so.1.2.13]")).isEqualTo("[libz.so.1.2.13]");
        assertThat(name(jvm, "int java.util.zip.Deflater.deflateBytesBytes")).isEqualTo("compression");
        assertThat(name(jvm, "[libz.so.1.2.13]")).isEqualTo("compression");
        // an interpreted frame is a caller like any Java frame, not interpreter overhead
        assertThat(name(jvm, "Interpreter")).isNull();
        assertThat(name(jvm, "InterpreterRuntime::resolve_invoke")).isEqualTo("interpreter");
    }

    @Test
    void rewritesApplyInOrderAfterVendorStripping() throws IOException {
        Rules r = json("{\"rewrites\": [{\"pattern\": \"\\\\.func[0-9]+$\", \"replacement\": \"\"},"
                + "{\"pattern\": \"^([\\\\w.]+)/\", \"replacement\": \"$1:\"}],"
                + "\"categories\": [{\"name\": \"x\", \"prefixes\": [\"k8s.io:apiserver/pkg/x.Run\"]}]}");
        assertThat(r.normalize("k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/x.Run.func1")).isEqualTo("k8s.io:apiserver/pkg/x.Run");
        assertThat(r.classify(r.normalize("k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/x.Run.func2"))).isZero();
        assertThatThrownBy(() -> json("{\"categories\": [], \"rewrites\": [{\"pattern\": \"[\"}]}"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("rewrites[0]");
    }

    static String name(Rules rules, String frame) {
        int k = rules.classify(rules.normalize(frame));
        return k < 0 ? null : rules.categories().get(k).name();
    }

    /** The table of default categories in docs/analyze.md is the resource file, word for word. */
    @Test
    void readmeCategoriesTableIsTheBuiltInRuleFile() throws IOException {
        Path readme = Shared.repoRoot().resolve("docs/analyze.md");
        Shared.requireThat(Files.exists(readme), readme + " is missing");
        List<String> lines = Files.readAllLines(readme);
        int at = 0;
        Map<String, List<String>> table = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : lines.subList(at, lines.size())) {
            if (line.startsWith("| category | name prefixes |")) {
                inTable = true;
                continue;
            }
            if (inTable && line.startsWith("| ---")) {
                continue;
            }
            if (inTable && !line.startsWith("|")) {
                break;
            }
            if (inTable) {
                String[] cells = line.split("\\|");
                List<String> prefixes = new ArrayList<>();
                for (String p : cells[2].split(",")) {
                    prefixes.add(p.trim().replace("`", ""));
                }
                table.put(cells[1].trim(), prefixes);
            }
        }
        Map<String, List<String>> rules = new LinkedHashMap<>();
        for (Rules.Category c : Rules.kubeApiserver().categories()) {
            rules.put(c.name(), c.prefixes());
        }
        assertThat(table).containsExactlyEntriesOf(rules);
    }
}
