package io.github.stackfold.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessFinderTest {
    private static final String CGROUP_A = "0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-"
            + "3f2a9c0d1e4b5a6978877665544332211ffeeddccbbaa00998877665544332211.scope\n";
    private static final String CGROUP_B = "12:pids:/docker/"
            + "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2\n";

    @TempDir
    Path proc;

    /** One fake /proc/PID directory; {@code nspid} is the NSpid line's PIDs (outermost first). */
    private void process(long pid, String comm, String exe, String cmdline, String cgroup, long... nspid)
            throws IOException {
        Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(d.resolve("comm"), comm + "\n");
        Files.write(d.resolve("cmdline"), cmdline.replace(' ', '\0').getBytes(StandardCharsets.UTF_8));
        Files.writeString(d.resolve("cgroup"), cgroup);
        Files.writeString(d.resolve("stat"), pid + " (" + comm + ") S 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 "
                + (1000 + pid) + " 1000000 100 18446744073709551615\n");
        StringBuilder ns = new StringBuilder();
        for (long n : nspid.length == 0 ? new long[] {pid} : nspid) {
            ns.append('\t').append(n);
        }
        Files.writeString(d.resolve("status"), "Name:\t" + comm + "\nNSpid:" + ns + "\nState:\tS (sleeping)\n");
        if (exe != null) {
            Files.createSymbolicLink(d.resolve("exe"), Path.of(exe));
        }
        // one PID namespace per nesting depth, named like the kernel's links
        Files.createDirectories(d.resolve("ns"));
        Files.createSymbolicLink(d.resolve("ns/pid"), Path.of("pid:[" + (4026531835L + Math.max(1, nspid.length)) + "]"));
    }

    @Test
    void findsTheOneProcessWhoseCommMatchesConfirmedByExe() throws IOException {
        process(1, "systemd", "/usr/lib/systemd/systemd", "/sbin/init", "0::/init.scope\n");
        process(4242, "kube-apiserver", "/usr/local/bin/kube-apiserver",
                "kube-apiserver --etcd-servers=https://127.0.0.1:2379", CGROUP_A);
        process(4300, "etcd", "/usr/local/bin/etcd", "etcd --data-dir=/var/lib/etcd", CGROUP_B);

        FoundProcess p = ProcessFinder.of(proc).find("kube-apiserver");

        assertThat(p.pid()).isEqualTo(4242);
        assertThat(p.targetPid()).isEqualTo(4242);
        assertThat(p.exe()).isEqualTo("/usr/local/bin/kube-apiserver");
        assertThat(p.commandLine()).isEqualTo("kube-apiserver --etcd-servers=https://127.0.0.1:2379");
        assertThat(p.containerId()).isEqualTo("3f2a9c0d1e4b");
        assertThat(p.startTime()).isEqualTo(1000 + 4242);
    }

    @Test
    void severalMatchesAreAnErrorListingPidCommandLineAndContainerAndAskingForPid() throws IOException {
        process(4242, "kube-apiserver", "/usr/local/bin/kube-apiserver", "kube-apiserver --secure-port=6443", CGROUP_A);
        process(5151, "kube-apiserver", "/usr/local/bin/kube-apiserver", "kube-apiserver --secure-port=7443", CGROUP_B);

        assertThatThrownBy(() -> ProcessFinder.of(proc).find("kube-apiserver"))
                .isInstanceOf(NoTargetException.class)
                .hasMessageContaining("2 processes are named 'kube-apiserver'")
                .hasMessageContaining("--pid")
                .hasMessageContaining("PID 4242 container 3f2a9c0d1e4b: kube-apiserver --secure-port=6443")
                .hasMessageContaining("PID 5151 container b1c2d3e4f5a6: kube-apiserver --secure-port=7443")
                .satisfies(e -> assertThat(((NoTargetException) e).candidates()).extracting(FoundProcess::pid)
                        .containsExactly(4242L, 5151L))
                .extracting(Throwable::getMessage).asString().doesNotContain("\n");
    }

    @Test
    void aCommMatchThatNeitherExeNorCommandLineConfirmsIsIgnored() throws IOException {
        // a process that renamed itself (prctl PR_SET_NAME) to the name we look for
        process(700, "kube-apiserver", "/usr/bin/python3.11", "python3 fake.py", "0::/user.slice\n");
        assertThatThrownBy(() -> ProcessFinder.of(proc).find("kube-apiserver"))
                .isInstanceOf(NoTargetException.class)
                .hasMessage("no process named 'kube-apiserver' is running");
    }

    @Test
    void theCommandLineConfirmsWhenExeCannotBeRead() throws IOException {
        process(800, "sh", null, "sh -c while :; do :; done", "0::/\n");
        assertThat(ProcessFinder.of(proc).find("sh").pid()).isEqualTo(800);
    }

    @Test
    void kernelThreadsNeverMatch() throws IOException {
        process(2, "kthreadd", null, "", "0::/\n");
        assertThat(ProcessFinder.of(proc).findAll("kthreadd")).isEmpty();
    }

    @Test
    void namesLongerThanFifteenBytesMatchTheKernelsTruncatedComm() throws IOException {
        process(900, "kube-controller", "/usr/local/bin/kube-controller-manager",
                "kube-controller-manager --leader-elect", "0::/\n");
        assertThat(ProcessFinder.of(proc).find("kube-controller-manager").pid()).isEqualTo(900);
        assertThat(ProcessFinder.of(proc).findAll("kube-controller")).isEmpty();
    }

    @Test
    void aMissingPidIsNoTarget() throws IOException {
        process(1, "systemd", "/usr/lib/systemd/systemd", "/sbin/init", "0::/init.scope\n");
        assertThatThrownBy(() -> ProcessFinder.of(proc).byPid(31337))
                .isInstanceOf(NoTargetException.class)
                .hasMessage("no such process: PID 31337");
    }

    @Test
    void pidsAreTranslatedIntoTheNsenterTargetsPidNamespace() throws IOException {
        process(1, "systemd", "/usr/lib/systemd/systemd", "/sbin/init", "0::/init.scope\n");
        // a container: its init is 3000 outside and 1 inside; the apiserver is 3007 outside, 7 inside
        process(3000, "pause", "/pause", "/pause", CGROUP_A, 3000, 1);
        process(3007, "kube-apiserver", "/usr/local/bin/kube-apiserver", "kube-apiserver", CGROUP_A, 3007, 7);
        ExecTarget t = ExecTarget.nsenter(3000);

        FoundProcess p = ProcessFinder.forTarget(t, proc, java.time.Duration.ofSeconds(5)).find("kube-apiserver");
        assertThat(p.pid()).isEqualTo(3007);
        assertThat(p.targetPid()).isEqualTo(7);
        assertThat(ProcessFinder.forTarget(t, proc, java.time.Duration.ofSeconds(5)).byPid(7).pid()).isEqualTo(3007);
        // PID 1 of the host is outside the container's namespace: perf in there cannot see it
        assertThat(ProcessFinder.forTarget(t, proc, java.time.Duration.ofSeconds(5)).findAll("systemd")).isEmpty();
    }

    @Test
    void aZombieIsNotAlive() throws Exception {
        process(4242, "kube-apiserver", "/usr/local/bin/kube-apiserver", "kube-apiserver", CGROUP_A);
        ProcessFinder f = ProcessFinder.of(proc);
        FoundProcess found = f.byPid(4242);
        assertThat(f.isAlive(found)).isTrue();
        Path stat = proc.resolve("4242/stat");
        Files.writeString(stat, Files.readString(stat).replace(") S ", ") Z "));
        assertThat(f.isAlive(found)).isFalse();
        assertThat(ProcessFinder.state("7 (a) b) R 1 1")).isEqualTo('R'); // comm may hold ") "
    }

    @Test
    void aRealZombieInTheRealProcIsNotAlive() throws Exception {
        // sh starts a child that exits at once, then becomes a sleep that never reaps it: a zombie
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 30").start();
        try {
            ProcessFinder f = ProcessFinder.of(Path.of("/proc"));
            long zombie = -1;
            for (int i = 0; i < 100 && zombie < 0; i++) {
                Thread.sleep(20);
                zombie = parent.children().mapToLong(ProcessHandle::pid).filter(pid -> {
                    String s = readStat(pid);
                    return s != null && ProcessFinder.state(s) == 'Z';
                }).findFirst().orElse(-1);
            }
            assertThat(zombie).as("a zombie child of sh").isPositive();
            String stat = readStat(zombie);
            FoundProcess z = new FoundProcess(zombie, zombie, "true", "", "", "", ProcessFinder.startTime(stat));
            assertThat(f.isAlive(z)).isFalse();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static String readStat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void findsARealProcessInTheRealProcByNameAndPid(@TempDir Path bin) throws Exception {
        String name = "sfind" + ProcessHandle.current().pid();
        Path exe = bin.resolve(name);
        Files.copy(Path.of("/bin/sleep"), exe);
        exe.toFile().setExecutable(true);
        Process p = new ProcessBuilder(exe.toString(), "30").start();
        try {
            ProcessFinder f = ProcessFinder.of(Path.of("/proc"));
            FoundProcess found = f.find(name);
            assertThat(found.pid()).isEqualTo(p.pid());
            assertThat(found.exe()).isEqualTo(exe.toRealPath().toString());
            assertThat(found.commandLine()).isEqualTo(exe + " 30");
            assertThat(f.byPid(p.pid())).isEqualTo(found);
            assertThat(f.isAlive(found)).isTrue();
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
            assertThat(f.isAlive(found)).isFalse();
            assertThat(f.findAll(name)).isEmpty();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void readsThePodsProcThroughTheTargetsCommands() throws Exception {
        // the commands (ls, grep, cat, readlink) run locally here: the same code path a pod gets
        String name = "sfindk" + ProcessHandle.current().pid();
        Path bin = Files.createTempDirectory("sfind");
        Path exe = bin.resolve(name);
        Files.copy(Path.of("/bin/sleep"), exe);
        exe.toFile().setExecutable(true);
        Process p = new ProcessBuilder(exe.toString(), "30").start();
        try {
            ProcessFinder f = new ProcessFinder(new io.github.stackfold.perf.internal.CommandProcSource(
                    ExecTarget.local(), java.time.Duration.ofSeconds(10)), 0);
            FoundProcess found = f.find(name);
            assertThat(found.pid()).isEqualTo(p.pid());
            assertThat(found).isEqualTo(ProcessFinder.of(Path.of("/proc")).byPid(p.pid()));
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(exe);
            Files.deleteIfExists(bin);
        }
    }

    @Test
    void containerIdIsTheLastLongHexRunOfTheCgroupPath() {
        assertThat(ProcessFinder.containerId(CGROUP_A)).isEqualTo("3f2a9c0d1e4b");
        assertThat(ProcessFinder.containerId("0::/user.slice/user-0.slice/session-3.scope\n")).isEmpty();
        assertThat(List.of(ProcessFinder.containerId(null))).containsExactly("");
    }
}
