/** Finds a process, records it with perf (locally, through nsenter, or through kubectl exec) and collapses the output. */
module io.github.stackfold.perf {
    requires transitive io.github.stackfold.flamegraph;
    requires org.apache.commons.exec;
    requires java.net.http;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.google.protobuf;
    requires io.opentelemetry.proto;

    exports io.github.stackfold.perf;
    exports io.github.stackfold.perf.pprof;
    exports io.github.stackfold.perf.fleet;
    exports io.github.stackfold.perf.push;
}
