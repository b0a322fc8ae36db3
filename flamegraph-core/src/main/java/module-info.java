/**
 * perf script parsing, stack collapsing, the folded format, SVG rendering, differential profiles and
 * analysis. Only API packages are exported; {@code ...internal} packages are not.
 */
module io.github.stackfold.flamegraph {
    requires org.apache.commons.compress;
    requires com.google.protobuf;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires static org.assertj.core;
    // read by commons-compress for .xz and .zst input
    requires org.tukaani.xz;
    requires com.github.luben.zstd_jni;

    exports io.github.stackfold.flamegraph;
    exports io.github.stackfold.flamegraph.analyze;
    exports io.github.stackfold.flamegraph.assertions;
    exports io.github.stackfold.flamegraph.collapse;
    exports io.github.stackfold.flamegraph.export;
    exports io.github.stackfold.flamegraph.folded;
    exports io.github.stackfold.flamegraph.html;
    exports io.github.stackfold.flamegraph.io;
    exports io.github.stackfold.flamegraph.parse;
    exports io.github.stackfold.flamegraph.perfdata;
    exports io.github.stackfold.flamegraph.pprof;
    exports io.github.stackfold.flamegraph.render;
    exports io.github.stackfold.flamegraph.diff;
    exports io.github.stackfold.flamegraph.symbolize;
}
