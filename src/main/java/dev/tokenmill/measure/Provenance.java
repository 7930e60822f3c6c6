package dev.tokenmill.measure;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.DeviceInfo;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.report.ResultFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What a result depends on beyond the device: the tokenmill revision, the host, the JDK, the clocks. */
public final class Provenance {
    private Provenance() {}

    /** Version from the jar, git revision of the working directory ({@code unknown} outside a checkout). */
    public static ResultFile.Tool tool() {
        String version = Provenance.class.getPackage().getImplementationVersion();
        String rev = git("rev-parse", "HEAD");
        String status = rev == null ? null : git("status", "--porcelain", "--untracked-files=no");
        return new ResultFile.Tool(version == null ? "dev" : version, rev == null ? "unknown" : rev,
                status == null ? null : !status.isBlank());
    }

    public static ResultFile.Host host() {
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            hostname = "unknown";
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        Long memory = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : null;
        String cpu;
        try (Backend host = BackendCatalog.open("cpu")) {   // the CPU backend describes the host's processor
            cpu = host.device().name();
        }
        return new ResultFile.Host(hostname, cpu, Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    }

    /**
     * Clocks at the start of the run: the device's own (properties whose name mentions a clock, as the CUDA
     * backend reports them) and, for a CPU, the current and maximum core frequency Linux reports.
     */
    public static Map<String, Object> clocks(DeviceInfo device) {
        Map<String, Object> c = new LinkedHashMap<>();
        device.properties().forEach((k, v) -> {
            if (k.contains("clock") || k.contains("mhz")) c.put(k, v);
        });
        if (device.backend().equals("cpu")) {
            read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq").ifPresent(k -> c.put("cpu0_cur_mhz", k / 1000));
            read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").ifPresent(k -> c.put("cpu0_max_mhz", k / 1000));
            text("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").ifPresent(g -> c.put("cpu_governor", g));
        }
        return c;
    }

    private static Optional<Long> read(String file) {
        try {
            return text(file).map(Long::parseLong);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(String file) {
        try {
            return Optional.of(Files.readString(Path.of(file)).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return text;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
