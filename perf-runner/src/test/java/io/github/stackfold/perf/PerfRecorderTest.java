package io.github.stackfold.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.stackfold.flamegraph.NoSamplesException;
import io.github.stackfold.flamegraph.folded.FoldedProfile;
import io.github.stackfold.testing.Shared;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real perf on real processes (we need root or a permissive perf_event_paranoid). */
class PerfRecorderTest {
    private static Busy busy;

    @TempDir
    Path out;

    @BeforeAll
    static void build() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/perf")), "perf is not installed (apt-get install linux-perf)");
        busy = new Busy();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (busy != null) {
            busy.close();
        }
    }

    private RecordOptions.Builder options() {
        return RecordOptions.builder().duration(Duration.ofSeconds(1)).outputDir(out);
    }

    /** True when some stack ends in main;spin_outer;spin_inner (frames between are allowed, e.g. libc). */
    private static boolean hasBusyStack(FoldedProfile p, String comm) {
        for (String s : p.asMap().keySet()) {
            List<String> f = FoldedProfile.frames(s);
            int main = f.indexOf("main");
            if (f.get(0).equals(comm) && main > 0 && f.indexOf("spin_outer") > main
                    && f.indexOf("spin_inner") > f.indexOf("spin_outer")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void printsDurationsInSecondsWithoutTrailingZeros() {
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(3000))).isEqualTo("3");
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(3250))).isEqualTo("3.25");
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(3001))).isEqualTo("3.001");
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(50))).isEqualTo("0.05");
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(12_345))).as("tenths from 10 s").isEqualTo("12.3");
        assertThat(PerfRecorder.seconds(java.time.Duration.ofMillis(29_960))).isEqualTo("30");
    }

    @Test
    void recordsABusyProcessByPidWithPerfScriptReadingWhilePerfRecords() throws Exception {
        String name = Busy.name("sfpid");
        Process p = busy.start(name);
        AtomicReference<String> data = new AtomicReference<>();
        List<Boolean> scriptRunning = Collections.synchronizedList(new ArrayList<>());
        Recording r = PerfRecorder.create(options().pid(p.pid()).build()).record(new RecordListener() {
            @Override
            public void started(FoundProcess process, String dataFile) {
                data.set(dataFile);
            }

            @Override
            public void progress(Duration elapsed, Duration total) {
                if (!elapsed.isZero()) {
                    scriptRunning.add(!perfScripts().isEmpty());
                }
            }
        });

        assertThat(data.get()).as("perf record writes to its stdout").isEqualTo("-");
        assertThat(scriptRunning).as("perf script ran alongside perf record").isNotEmpty().containsOnly(true);
        assertThat(r.process().pid()).isEqualTo(p.pid());
        assertThat(r.name()).isEqualTo(name);
        assertThat(hasBusyStack(r.profile(), name)).as(r.profile().toString()).isTrue();
        assertThat(r.samples()).as("counted by the collapser: perf record in pipe mode does not say").isPositive();
        assertThat(r.interrupted()).isFalse();
        assertThat(r.targetExited()).isFalse();
        assertThat(r.keptFiles()).isEmpty();
        assertThat(perfScripts()).as("perf script has ended").isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(h -> h.info().command().orElse("").endsWith("/perf")))
                .as("perf record, ended once it wrote its data, is gone").isEmpty();
        // from its workload's start to its end, without the second or so perf record lingers after it
        assertThat(r.recorded()).isBetween(Duration.ofMillis(700), Duration.ofMillis(1500));
        assertNothingLeftIn(out);
    }

    @Test
    void withoutStreamingPerfDataIsPrivateAndPerfScriptRunsAfterPerfRecord() throws Exception {
        String name = Busy.name("sffile");
        Process p = busy.start(name);
        List<String> permissions = Collections.synchronizedList(new ArrayList<>());
        List<Boolean> scriptRunning = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> data = new AtomicReference<>();
        Recording r = PerfRecorder.create(options().pid(p.pid()).stream(false).build()).record(new RecordListener() {
            @Override
            public void started(FoundProcess process, String dataFile) {
                data.set(dataFile);
                permissions.add(perms(Path.of(dataFile).getParent()));
            }

            @Override
            public void progress(Duration elapsed, Duration total) {
                if (Files.exists(Path.of(data.get()))) {
                    permissions.add(perms(Path.of(data.get())));
                }
                scriptRunning.add(!perfScripts().isEmpty());
            }
        });

        assertThat(hasBusyStack(r.profile(), name)).as(r.profile().toString()).isTrue();
        assertThat(r.samples()).as("as perf record reported").isPositive();
        assertThat(r.recorded()).isBetween(Duration.ofMillis(700), Duration.ofMillis(1500));
        assertThat(scriptRunning).isNotEmpty().containsOnly(false);
        assertThat(permissions).first().isEqualTo("rwx------");
        assertThat(permissions).contains("rw-------").containsOnly("rwx------", "rw-------");
        assertThat(Path.of(data.get()).getParent()).doesNotExist();
        assertNothingLeftIn(out);
    }

    @Test
    void aListenerThatWritesASymbolMapAfterTheRecordingGetsPerfScriptAfterPerfRecord() throws Exception {
        String name = Busy.name("sfmap");
        Process p = busy.start(name);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Recording r = PerfRecorder.create(options().pid(p.pid()).build()).record(new RecordListener() {
            @Override
            public boolean writesSymbolMap(FoundProcess process) {
                seen.add("asked for PID " + process.pid());
                return true;
            }

            @Override
            public void started(FoundProcess process, String dataFile) {
                seen.add(dataFile.endsWith("/perf.data") ? "perf.data" : dataFile);
            }

            @Override
            public void recorded(FoundProcess process) {
                seen.add(perfScripts().isEmpty() ? "no perf script yet" : "perf script already running");
            }
        });

        assertThat(seen).containsExactly("asked for PID " + p.pid(), "perf.data", "no perf script yet");
        assertThat(hasBusyStack(r.profile(), name)).as(r.profile().toString()).isTrue();
    }

    private static void assertNothingLeftIn(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("files in " + dir).isEmpty();
        }
    }

    @Test
    void aFailedPerfRecordIsReportedByItsErrorAloneInBothModes() throws Exception {
        Process p = busy.start(Busy.name("sfbad"));
        List<List<String>> warnings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            List<String> w = Collections.synchronizedList(new ArrayList<>());
            PerfRecorder rec = PerfRecorder.create(options().pid(p.pid()).event("no-such-event").stream(stream).build());
            assertThatThrownBy(() -> rec.record(new RecordListener() {
                @Override
                public void warning(String message) {
                    w.add(message);
                }
            })).isInstanceOf(PerfFailedException.class)
                    .satisfies(e -> errors.add(e.getMessage()));
            warnings.add(w);
        }
        assertThat(errors.get(1)).contains("event syntax error").isEqualTo(errors.get(0));
        // perf record prints its usage text around the error, and perf script, given no data while
        // streaming, complains too: the error alone is shown
        assertThat(warnings.get(0)).as("recording to a file").isEmpty();
        assertThat(warnings.get(1)).as("streaming").isEmpty();
        assertThat(perfScripts()).isEmpty();
    }

    /** perf script processes started by this JVM. */
    static List<ProcessHandle> perfScripts() {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/perf"))
                .filter(h -> List.of(h.info().arguments().orElse(new String[0])).contains("script"))
                .toList();
    }

    private static String perms(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (Exception e) {
            return "gone";
        }
    }

    @Test
    void recordsABusyProcessFoundByNameAndWritesNameDotFolded() throws Exception {
        String name = Busy.name("sfname");
        Process p = busy.start(name);
        PerfRecorder rec = PerfRecorder.create(options().processName(name).build());
        Recording r = rec.record();
        List<Path> written = rec.writeResults(r);

        assertThat(r.process().pid()).isEqualTo(p.pid());
        assertThat(written).containsExactly(out.resolve(name + ".folded"), out.resolve("flame.svg"));
        FoldedProfile back = FoldedProfile.read(Files.newInputStream(out.resolve(name + ".folded")), name + ".folded");
        assertThat(back.asMap()).isEqualTo(r.profile().asMap());
        assertThat(hasBusyStack(back, name)).isTrue();
        // the SVG is well-formed XML, names the process and has a frame for each busy function
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(out.resolve("flame.svg").toFile());
        var titles = doc.getElementsByTagName("title");
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < titles.getLength(); i++) {
            frames.add(titles.item(i).getTextContent());
        }
        assertThat(frames).anyMatch(t -> t.startsWith("spin_inner ")).anyMatch(t -> t.startsWith("spin_outer "))
                .anyMatch(t -> t.startsWith(name + " "));
        assertThat(Files.readString(out.resolve("flame.svg"))).contains(name + ", PID " + p.pid() + ", cpu-clock at 99 Hz");
    }

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(booleans = {true, false})
    void keepLeavesPerfDataAndThePerfScriptTextNextToTheResults(boolean stream) throws Exception {
        String name = Busy.name(stream ? "sfkeeps" : "sfkeepf");
        busy.start(name);
        Recording r = PerfRecorder.create(options().processName(name).keep(true).stream(stream).build()).record();

        Path data = out.resolve(name + ".perf.data");
        Path text = out.resolve(name + ".perf.txt");
        assertThat(r.keptFiles()).containsExactly(data, text);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rw-------");
        assertThat(Files.readString(text)).contains("spin_inner").contains("cpu-clock");
        // the kept perf.data is a real one (in pipe format when streamed): perf script reads it again
        Process again = new ProcessBuilder("perf", "script", "-i", data.toString()).redirectErrorStream(true).start();
        String script = new String(again.getInputStream().readAllBytes());
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(script).isEqualTo(Files.readString(text));
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).as("no temporary file left")
                    .containsExactlyInAnyOrder(name + ".perf.data", name + ".perf.txt");
        }
    }

    @Test
    void profilesAProcessInItsOwnMountAndPidNamespacesThroughNsenter() throws Exception {
        Shared.requireThat(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare is not installed (util-linux)");
        String name = Busy.name("sfns");
        Process unshare = busy.start(name, "unshare", "--mount", "--pid", "--fork", "--mount-proc");
        ProcessHandle inner = awaitChild(unshare);

        Recording r = PerfRecorder.create(options().processName(name).target(ExecTarget.nsenter(inner.pid())).build())
                .record();

        assertThat(r.process().pid()).isEqualTo(inner.pid());
        assertThat(r.process().targetPid()).as("PID inside the new namespace").isEqualTo(1);
        assertThat(hasBusyStack(r.profile(), name)).as(r.profile().toString()).isTrue();
    }

    static ProcessHandle awaitChild(Process parent) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var c = parent.children().findFirst();
            if (c.isPresent() && c.get().info().command().orElse("").contains("sf")) {
                return c.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("unshare did not start its child");
    }

    @Test
    void stopInTheMiddleEndsPerfWithSigintAndStillFoldsWhatWasRecordedTwentyTimes() throws Exception {
        // 4 workers with a busy process and a recorder each, 5 stops each: perf spends most of its
        // start and end waiting, so this keeps the 20 runs short
        List<CompletableFuture<List<String>>> workers = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            busy.binary(Busy.name("sfstop" + w)); // all copies made before any worker forks perf
        }
        for (int w = 0; w < 4; w++) {
            String name = Busy.name("sfstop" + w);
            Process p = busy.start(name);
            // three workers stream perf record into perf script, one records to perf.data first
            PerfRecorder rec = PerfRecorder.create(options().pid(p.pid()).duration(Duration.ofSeconds(30))
                    .stream(w != 3).build());
            workers.add(CompletableFuture.supplyAsync(() -> stopFiveTimes(rec, name, p.toHandle()), pool));
        }
        pool.shutdown();
        List<String> problems = new ArrayList<>();
        int runs = 0;
        for (CompletableFuture<List<String>> w : workers) {
            List<String> results = w.get(120, TimeUnit.SECONDS);
            for (String r : results) {
                runs++;
                if (!r.equals("ok")) {
                    problems.add(r);
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(runs).isEqualTo(20);
        assertThat(ProcessHandle.current().descendants().filter(h -> h.info().command().orElse("").endsWith("/perf")))
                .as("no perf record or perf script left running").isEmpty();
    }

    private List<String> stopFiveTimes(PerfRecorder rec, String name, ProcessHandle target) {
        List<String> results = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            AtomicReference<String> data = new AtomicReference<>();
            AtomicReference<Thread> stopper = new AtomicReference<>();
            AtomicReference<Duration> cpuAtStart = new AtomicReference<>();
            try {
                Recording r = rec.record(new RecordListener() {
                    @Override
                    public void started(FoundProcess process, String dataFile) {
                        data.set(dataFile);
                    }

                    @Override
                    public void progress(Duration elapsed, Duration total) {
                        // in the middle: once the target ran 0.15 s of CPU under perf (about 15 samples;
                        // on a loaded machine that takes longer than 0.15 s), from another thread as a
                        // signal handler would
                        if (elapsed.isZero() || stopper.get() != null) {
                            return;
                        }
                        Duration cpu = target.info().totalCpuDuration().orElse(Duration.ZERO);
                        cpuAtStart.compareAndSet(null, cpu);
                        if (cpu.minus(cpuAtStart.get()).toMillis() >= 150) {
                            Thread t = new Thread(rec::stop, "stop " + name);
                            stopper.set(t);
                            t.start();
                        }
                    }
                });
                stopper.get().join(); // its stop belongs to this recording, not to the next
                String problem = !r.interrupted() ? "not interrupted"
                        : r.recorded().toSeconds() >= 10 ? "sampled " + r.recorded() + " of 30 s, not stopped early"
                        : !hasBusyStack(r.profile(), name) ? "no busy stack in " + r.profile()
                        : !perfProcessesWriting(data.get(), target.pid()).isEmpty() ? "perf left running"
                        : !data.get().equals("-") && Files.exists(Path.of(data.get()).getParent()) ? "temporary directory left behind"
                        : "ok";
                results.add(problem.equals("ok") ? problem : name + " run " + run + ": " + problem);
            } catch (RuntimeException | InterruptedException e) {
                results.add(name + " run " + run + ": " + e);
            }
        }
        return results;
    }

    /** perf processes on this machine whose command line names {@code dataFile} and records {@code pid}. */
    static List<ProcessHandle> perfProcessesWriting(String dataFile, long pid) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().command().orElse("").endsWith("/perf"))
                .filter(h -> {
                    String args = " " + String.join(" ", h.info().arguments().orElse(new String[0])) + " ";
                    return args.contains(" -o " + dataFile + " ") && args.contains(" -p " + pid + " ");
                })
                .toList();
    }

    @Test
    void aProcessThatExitsDuringTheRecordingStillGivesWhatWasRecorded() throws Exception {
        String name = Busy.name("sfexit");
        Process p = busy.start(name);
        CompletableFuture<Void> killer = new CompletableFuture<>();
        RecordListener kill = new RecordListener() {
            @Override
            public void progress(Duration elapsed, Duration total) {
                if (elapsed.toMillis() > 1500 && !killer.isDone()) {
                    p.destroy();
                    killer.complete(null);
                }
            }
        };
        Recording r = PerfRecorder.create(options().pid(p.pid()).duration(Duration.ofSeconds(4)).build()).record(kill);

        assertThat(killer).isDone();
        assertThat(r.targetExited()).isTrue();
        assertThat(r.interrupted()).isFalse();
        assertThat(hasBusyStack(r.profile(), name)).isTrue();
    }

    @Test
    void anIdleProcessGivesNoSamples() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            assertThatThrownBy(() -> PerfRecorder.create(options().pid(sleeper.pid()).build()).record())
                    .isInstanceOf(NoSamplesException.class)
                    .hasMessageStartingWith("no samples recorded from PID " + sleeper.pid() + " (sleep)");
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPidThatDoesNotExistIsNoTarget() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> PerfRecorder.create(options().pid(gone.pid()).build()).record())
                .isInstanceOf(NoTargetException.class)
                .hasMessage("no such process: PID " + gone.pid());
    }

    @Test
    void aMissingPerfSaysHowToInstallIt() {
        assertThatThrownBy(() -> PerfRecorder.create(options().pid(1).perfCommand("perf-not-installed-here").build()).record())
                .isInstanceOf(ToolMissingException.class)
                .hasMessage("perf is not installed (apt-get install linux-perf)");
    }

    @Test
    void perfMissingInsideTheNsenterTargetIsNamedAsSuch() throws Exception {
        Process unshare = busy.start(Busy.name("sfnsp"), "unshare", "--mount", "--pid", "--fork", "--mount-proc");
        ProcessHandle inner = awaitChild(unshare);
        ExecTarget t = ExecTarget.nsenter(inner.pid());
        assertThatThrownBy(() -> PerfRecorder.create(options().pid(1).perfCommand("perf-not-installed-here")
                        .target(t).build()).record())
                .isInstanceOf(ToolMissingException.class)
                .hasMessage("perf is not installed on nsenter --target " + inner.pid() + " (apt-get install linux-perf)");
    }

    @Test
    void notPermittedNamesTheSettingItsValueAndTheCapabilities() {
        assertThat(PerfRecorder.notPermittedMessage(4242, "2")).isEqualTo("not permitted to record PID 4242:"
                + " kernel.perf_event_paranoid is 2 and perf runs without CAP_PERFMON or CAP_SYS_ADMIN"
                + " (run as root, grant CAP_PERFMON, or sysctl -w kernel.perf_event_paranoid=-1)");
    }
}
