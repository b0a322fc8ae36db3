package io.github.stackfold.flamegraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FrameNamesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1 | filters.WithAuthentication.func1",
        "net/http.HandlerFunc.ServeHTTP | http.HandlerFunc.ServeHTTP",
        "k8s.io/apiserver/pkg/authentication/request/union.(*unionAuthRequestHandler).AuthenticateRequest | union.(*unionAuthRequestHandler).AuthenticateRequest",
        "github.com/emicklei/go-restful/v3.(*Container).dispatch | go-restful/v3.(*Container).dispatch",
        "go.etcd.io/etcd/client/v3.(*kv).Get | client/v3.(*kv).Get",
        "gopkg.in/yaml.v2.Unmarshal | yaml.v2.Unmarshal",
        "sync/atomic.(*Pointer[k8s.io/apiserver/pkg/x.T]).Load | atomic.(*Pointer[k8s.io/apiserver/pkg/x.T]).Load",
        "k8s.io/utils/lru.(*Cache[...]).Get | lru.(*Cache[...]).Get",
        "org.apache.kafka.clients.NetworkClient.poll | NetworkClient.poll",
        "java.lang.Thread.run | Thread.run",
        "io/netty/channel/nio/NioEventLoop:.run | NioEventLoop:.run",
        "runtime.mallocgc | runtime.mallocgc",
        "strings.Builder.WriteString | strings.Builder.WriteString",
        "sync.(*Mutex).Lock | sync.(*Mutex).Lock",
        "tcp_sendmsg | tcp_sendmsg",
        "[unknown] | [unknown]",
        "[kube-apiserver] | [kube-apiserver]",
        "/usr/bin/foo.bar | /usr/bin/foo.bar",
        "std::vector<a/b.c>::push_back | std::vector<a/b.c>::push_back",
        "LazyCompile:*foo /apps/node/x/async.js:39 | LazyCompile:*foo /apps/node/x/async.js:39",
        "Lorg/foo/Baz:::method | Lorg/foo/Baz:::method",
        "com.Foo.bar | com.Foo.bar",
        "a/b | a/b",
    })
    void shortensGoAndJavaNamesAndKeepsTheRest(String full, String expected) {
        assertThat(FrameNames.shorten(full)).isEqualTo(expected);
    }

    @Test
    void labelFormsDropQualifiersButNeverEndWithABareClosure() {
        assertThat(FrameNames.labelForms("net/http.HandlerFunc.ServeHTTP"))
                .containsExactly("http.HandlerFunc.ServeHTTP", "HandlerFunc.ServeHTTP", "ServeHTTP");
        assertThat(FrameNames.labelForms("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1"))
                .containsExactly("filters.WithAuthentication.func1", "WithAuthentication.func1");
        assertThat(FrameNames.labelForms("k8s.io/x/pkg.Outer.func1.2"))
                .containsExactly("pkg.Outer.func1.2", "Outer.func1.2");
        assertThat(FrameNames.labelForms("k8s.io/apiserver/pkg/authentication/request/union.(*unionAuthRequestHandler).AuthenticateRequest"))
                .containsExactly("union.(*unionAuthRequestHandler).AuthenticateRequest",
                        "(*unionAuthRequestHandler).AuthenticateRequest", "AuthenticateRequest");
        assertThat(FrameNames.labelForms("runtime.mallocgc")).containsExactly("runtime.mallocgc", "mallocgc");
        assertThat(FrameNames.labelForms("tcp_sendmsg")).containsExactly("tcp_sendmsg");
        assertThat(FrameNames.labelForms("[unknown]")).containsExactly("[unknown]");
        assertThat(FrameNames.labelForms("std::vector<int>::push_back")).containsExactly("std::vector<int>::push_back");
    }

    @Test
    void goSymbolsWithAPathAreTellTaleOfGoFrames() {
        assertThat(FrameNames.isGoSymbolWithPath("k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP")).isTrue();
        assertThat(FrameNames.isGoSymbolWithPath("net/http.HandlerFunc.ServeHTTP")).isTrue();
        assertThat(FrameNames.isGoSymbolWithPath("io/netty/channel/nio/NioEventLoop:.run")).isFalse();
        assertThat(FrameNames.isGoSymbolWithPath("io/netty/channel/nio/NioEventLoop.run")).isFalse();
        assertThat(FrameNames.isGoSymbolWithPath("runtime.mallocgc")).isFalse();
        assertThat(FrameNames.isGoSymbolWithPath("[kube-apiserver]")).isFalse();

        assertThat(FrameNames.mostlyGo(List.of("runtime.main", "net/http.(*conn).serve", "a", "b", "c"))).isTrue();
        assertThat(FrameNames.mostlyGo(List.of("runtime.main", "net/http.(*conn).serve", "a", "b", "c", "d"))).isFalse();
        assertThat(FrameNames.mostlyGo(List.of())).isFalse();
    }

    @Test
    void styleNamesParseInAnyCaseAndUnknownOnesSayWhatIsExpected() {
        assertThat(FrameNames.Style.of("Short")).isEqualTo(FrameNames.Style.SHORT);
        assertThat(FrameNames.Style.of("full")).isEqualTo(FrameNames.Style.FULL);
        assertThatThrownBy(() -> FrameNames.Style.of("tiny")).hasMessageContaining("expected short, full or auto");
    }
}
