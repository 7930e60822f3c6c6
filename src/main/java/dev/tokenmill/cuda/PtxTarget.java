package dev.tokenmill.cuda;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which packaged PTX of a kernel family suits a device, and whether its driver can JIT-compile it. PTX for
 * {@code sm_XY} runs on every device of compute capability X.Y or newer; PTX for an architecture-specific
 * target ({@code sm_90a}: wgmma, TMA) runs only on exactly that capability. The newest suitable target wins.
 */
public final class PtxTarget {
    /**
     * What to tell the owner of a driver too old for the kernels. kernels/build.sh lowers each module's PTX ISA to what
     * its instructions need (7.0, CUDA 11.0), and the driver functions tokenmill calls date from CUDA 11.4; R535 is the
     * oldest driver branch tokenmill is meant for (kernels/ABI.md, "Which drivers").
     */
    static final String DRIVER_ADVICE = "update the NVIDIA driver to R535 (CUDA 12.2) or newer";

    /** Targets PTX may be packaged for, newest first; the family's resource is {@code /kernels/<family>.<target>.ptx}. */
    static final List<String> TARGETS = List.of("sm_120a", "sm_120", "sm_100a", "sm_100", "sm_90a", "sm_90", "sm_89",
            "sm_86", "sm_80");

    private static final Pattern TARGET = Pattern.compile("sm_(\\d+)(a?)");
    private static final Pattern VERSION = Pattern.compile("^\\s*\\.version\\s+(\\d+)\\.(\\d+)", Pattern.MULTILINE);

    private PtxTarget() {}

    /** The classpath resource holding {@code family}'s PTX for {@code target}. */
    static String resource(String family, String target) { return "/kernels/" + family + "." + target + ".ptx"; }

    /** Whether PTX for {@code target} (e.g. {@code sm_90a}) runs on a device of compute capability {@code cc} (e.g. 90). */
    static boolean runsOn(String target, int cc) {
        Matcher m = TARGET.matcher(target);
        if (!m.matches()) throw new IllegalArgumentException("not a PTX target: " + target);
        int t = Integer.parseInt(m.group(1));
        return m.group(2).isEmpty() ? t <= cc : t == cc;
    }

    /** The newest packaged target that runs on {@code cc}; {@code packaged} says whether a target's PTX exists. */
    static Optional<String> best(int cc, Predicate<String> packaged) {
        return TARGETS.stream().filter(t -> runsOn(t, cc)).filter(packaged).findFirst();
    }

    /** The PTX ISA version a module declares ({@code .version 9.0} gives 90), or -1 when it declares none. */
    static int isaVersion(String ptx) {
        Matcher m = VERSION.matcher(ptx);
        return m.find() ? Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2)) : -1;
    }

    /**
     * The oldest driver ({@code cuDriverGetVersion}, e.g. 12040 for CUDA 12.4) that JIT-compiles PTX of ISA
     * version {@code isa} (e.g. 85), per the PTX ISA release notes; empty for ISA versions this table does not know.
     */
    static Optional<Integer> minDriver(int isa) {
        return Optional.ofNullable(switch (isa) {
            case 91 -> 13010;
            case 90 -> 13000;
            case 88 -> 12090;
            case 87 -> 12080;
            case 86 -> 12070;
            case 85 -> 12050;
            case 84, 83, 82, 81, 80 -> 12000 + (isa - 80) * 10;
            case 78, 77, 76, 75, 74, 73, 72, 71, 70 -> 11000 + (isa - 70) * 10;
            default -> null;
        });
    }

    /** Why a driver cannot JIT this PTX, or empty when it can (or when the ISA is unknown: the driver then decides). */
    static Optional<String> driverProblem(int isa, int driverVersion) {
        return minDriver(isa).filter(min -> driverVersion < min).map(min -> "tokenmill's kernels are PTX ISA "
                + isa / 10 + "." + isa % 10 + ", which needs a driver for CUDA " + cudaVersion(min)
                + " or newer, and this NVIDIA driver supports CUDA " + cudaVersion(driverVersion) + ": " + DRIVER_ADVICE);
    }

    /** {@code 12040} as {@code 12.4}. */
    static String cudaVersion(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }
}
