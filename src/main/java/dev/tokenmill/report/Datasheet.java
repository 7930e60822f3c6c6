package dev.tokenmill.report;

import dev.tokenmill.op.DType;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A device's peaks as NVIDIA's datasheets state them: dense (no structured sparsity) TFLOP/s per dtype, with
 * fp32 accumulation for f16/bf16 (what tokenmill's kernels do; GeForce cards run f16-accumulate twice as fast,
 * which does not apply), and memory bandwidth in GB/s. Shown beside the measured ceilings, never instead.
 */
public record Datasheet(String name, double f32Tflops, double f16Tflops, double bf16Tflops, double memoryGbs) {

    private record Entry(Pattern pattern, Datasheet sheet) {}

    /** Matched in order against the device name the driver reports, so the specific entries come first. */
    private static final List<Entry> KNOWN = List.of(
            entry("b200", "NVIDIA B200", 75, 2250, 2250, 8000),
            entry("h200.*nvl", "NVIDIA H200 NVL", 60, 835, 835, 4800),
            entry("h200", "NVIDIA H200 SXM", 67, 989, 989, 4800),
            entry("h100.*nvl", "NVIDIA H100 NVL", 60, 835, 835, 3900),
            entry("h100.*pcie", "NVIDIA H100 PCIe", 51, 756, 756, 2000),
            entry("h100", "NVIDIA H100 SXM", 67, 989, 989, 3350),
            entry("a100.*80gb.*pcie|a100.*pcie.*80gb", "NVIDIA A100 80GB PCIe", 19.5, 312, 312, 1935),
            entry("a100.*80gb", "NVIDIA A100 80GB SXM", 19.5, 312, 312, 2039),
            entry("a100", "NVIDIA A100 40GB", 19.5, 312, 312, 1555),
            entry("l40s", "NVIDIA L40S", 91.6, 362, 362, 864),
            entry("rtx 5090", "NVIDIA GeForce RTX 5090", 104.8, 209.5, 209.5, 1792),
            entry("rtx 4090", "NVIDIA GeForce RTX 4090", 82.6, 165.2, 165.2, 1008));

    private static Entry entry(String regex, String name, double f32, double f16, double bf16, double gbs) {
        return new Entry(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), new Datasheet(name, f32, f16, bf16, gbs));
    }

    /** The datasheet of a device by the name its driver reports (e.g. "NVIDIA H100 80GB HBM3"), if known. */
    public static Optional<Datasheet> match(String deviceName) {
        if (deviceName == null) return Optional.empty();
        return KNOWN.stream().filter(e -> e.pattern.matcher(deviceName).find()).map(Entry::sheet).findFirst();
    }

    public static List<Datasheet> all() { return KNOWN.stream().map(Entry::sheet).toList(); }

    /** {@code NVIDIA H100 SXM: 989 TFLOP/s bf16, 3.35 TB/s}. */
    public String text() { return name + ": " + Figures.flops(bf16Tflops) + " bf16, " + Figures.bandwidth(memoryGbs); }

    public double tflops(DType dtype) {
        return switch (dtype) {
            case F32 -> f32Tflops;
            case F16 -> f16Tflops;
            case BF16 -> bf16Tflops;
        };
    }
}
