/** Finds a process, records it with perf (locally, through nsenter, or through kubectl exec) and collapses the output. */
module io.github.stackfold.perf {
    requires transitive io.github.stackfold.flamegraph;
    requires org.apache.commons.exec;

    exports io.github.stackfold.perf;
}
