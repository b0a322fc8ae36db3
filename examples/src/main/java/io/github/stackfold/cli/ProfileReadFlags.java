package io.github.stackfold.cli;

import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.flamegraph.io.ProfileInput;

import java.io.IOException;

import picocli.CommandLine.Mixin;

/**
 * How a command reads any profile ({@code @Mixin} of flamegraph, html, diff and collapse): the pprof flags
 * ({@link PprofFlags}) and where a recording's binaries and kernel symbols are ({@link SymbolFlags}),
 * declared together because every command that reads pprof and perf input takes both.
 */
final class ProfileReadFlags {
    @Mixin
    PprofFlags pprof;

    @Mixin
    SymbolFlags symbols;

    /** {@code in} read with these flags, as {@link CliProfiles#read(ProfileInput, PprofFlags, FlameCli, SymbolFlags)}. */
    FoldedProfile read(ProfileInput in, FlameCli flame) throws IOException {
        return CliProfiles.read(in, pprof, flame, symbols);
    }
}
