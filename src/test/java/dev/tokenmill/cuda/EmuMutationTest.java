package dev.tokenmill.cuda;

import dev.tokenmill.backend.PrepareOptions;
import dev.tokenmill.backend.PreparedOp;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.reference.Verification;
import dev.tokenmill.reference.Verification.Failure;
import dev.tokenmill.testing.MutatedPtx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tokenmill.testing.MutatedPtx.replace;
import static dev.tokenmill.testing.MutatedPtx.replaceNth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deliberately broken copies of the shipped kernels, each one small edit of one entry's PTX loaded from a directory
 * as {@code TOKENMILL_PTX_DIR} loads it, run through the real launchers on the emulator: verification must refuse each
 * one, and the test names what caught it (an element beyond its error bound, an exact element off, an element never
 * written, or a finding of the emulator's checks). The mutants are issue 14's, which the CPU kernels' own mutants
 * ({@code cpu/MutantsTest}) also cover, plus the checks' own: a barrier removed, a bound off by one, a swapped mma
 * fragment register. The unmutated copy passes (so the directory mechanism itself is not what fails).
 */
@Tag("emu")
class EmuMutationTest {
    /** 0.97 as an f32 literal: the softmax rescale mutants multiply the exponent by it (issue 14's 3 %). */
    private static final String NINETY_SEVEN_PERCENT = "0f3F7851EC";

    @TempDir Path dir;

    /**
     * One mutant: what it breaks, the entry it edits and how, an op whose launcher runs that entry on a shape where the
     * bug is live, and what must catch it ({@code kinds}: for a finding, the kinds that count).
     */
    record Mutant(String name, String family, String entry, UnaryOperator<String> edit, OpSpec spec, Failure caughtBy,
                  Set<FindingKind> kinds) {
        Mutant(String name, String family, String entry, UnaryOperator<String> edit, OpSpec spec, Failure caughtBy) {
            this(name, family, entry, edit, spec, caughtBy, Set.of());
        }

        @Override public String toString() { return name; }
    }

    /** Ragged, paged, long enough for several split-KV chunks on the emulated 8 SMs; the last sequence fills its cache. */
    private static DecodeSpec decode(int headDim, DType t) {
        int[] lens = {300, 77, 520};
        return new DecodeSpec(8, new KvCache(lens.length, 2, headDim, lens, 520, KvLayout.PAGED, 16), t);
    }

    /** Five query tiles and key tiles of 64: the online softmax rescales as its maximum moves. */
    private static PrefillSpec prefill(int headDim, DType t) { return new PrefillSpec(1, 300, 8, 2, headDim, t); }

    static List<Mutant> mutants() {
        return List.of(
                new Mutant("decode merge: each chunk's rescale weight exp2(0.97 (lse_c - max lse)), 3 % off", "decode",
                        "tm_decode_merge_bf16", replace("ex2\\.approx\\.f32\\s+(%f\\d+), (%f\\d+);",
                        "mul.f32 \t$2, $2, " + NINETY_SEVEN_PERCENT + ";\n\tex2.approx.f32 \t$1, $2;", 7),
                        decode(128, DType.BF16), Failure.ERROR_BOUND),
                new Mutant("prefill mma: online-softmax rescale exp2(0.97 (m_old - m_new)), 3 % off", "prefill",
                        "tm_prefill_mma_d64_f16", replace(
                        "(selp\\.f32\\s+(%f\\d+), 0f00000000, %f\\d+, %p\\d+;\\n\\s*sub\\.f32\\s+(%f\\d+), %f\\d+, \\2;)",
                        "$1\n\tmul.f32 \t$3, $3, " + NINETY_SEVEN_PERCENT + ";", 2),
                        prefill(64, DType.F16), Failure.ERROR_BOUND),
                new Mutant("prefill mma: causal mask off by one (query i also sees key i + 1)", "prefill",
                        "tm_prefill_mma_d64_bf16", replace(
                        "(add\\.s32\\s+(%r\\d+), %r\\d+, %r\\d+;)(\\n\\s*setp\\.gt\\.s32\\s+%p\\d+, %r\\d+, \\2;)",
                        "$1\n\tadd.s32 \t$2, $2, 1;$3", 1),
                        prefill(64, DType.BF16), Failure.ERROR_BOUND),
                new Mutant("prefill mma: wrong KV head for a query head (h % Hkv instead of h / (Hq/Hkv))", "prefill",
                        "tm_prefill_mma_d128_f16", replace(
                        "(div\\.s32\\s+(%r\\d+), %r\\d+, (%r\\d+);\\n\\s*mov\\.u32\\s+(%r\\d+), %ctaid\\.y;\\n\\s*)div\\.s32\\s+(%r\\d+), \\4, \\2;",
                        "$1rem.s32 \t$5, $4, $3;", 1),
                        prefill(128, DType.F16), Failure.ERROR_BOUND),
                new Mutant("decode split: block-table index off by one (every lookup reads the next entry)", "decode",
                        "tm_decode_split_d128_f16", replace("ld\\.global\\.nc\\.s32 (%r\\d+), \\[(%rd\\d+)\\];",
                        "ld.global.nc.s32 $1, [$2+4];", 6),
                        decode(128, DType.F16), Failure.FINDING,
                        Set.of(FindingKind.GLOBAL_OUT_OF_BOUNDS, FindingKind.GLOBAL_CROSSES_END)),
                new Mutant("gemv: the last k of every 16-byte chunk of W skipped", "gemv", "tm_gemv_m1_f32",
                        EmuMutationTest::dropEachChainsLastFma, new LinearSpec(1, 40, 1000, DType.F32), Failure.BIT_FOR_BIT),
                new Mutant("kv append: written one slot late (seq_lens[b] + 1)", "kv", "tm_kv_append_bf16", replace(
                        "(ld\\.global\\.s32\\s+(%rd\\d+), \\[%rd\\d+\\];)", "$1\n\tadd.s64 \t$2, $2, 1;", 1),
                        new AppendSpec(new KvCache(3, 2, 64, new int[]{5, 16, 30}, 40, KvLayout.PAGED, 16), DType.BF16),
                        Failure.NOT_WRITTEN),
                new Mutant("decode split: the barrier between the scores and the softmax removed", "decode",
                        "tm_decode_split_d64_bf16", replaceNth("bar\\.sync \t0;", 2, "// bar.sync 0 removed"),
                        new DecodeSpec(8, new KvCache(2, 2, 64, new int[]{100, 37}, 100, KvLayout.CONTIGUOUS, 0), DType.BF16),
                        Failure.FINDING, Set.of(FindingKind.SHARED_RAW, FindingKind.SHARED_WAR)),
                new Mutant("copy probe: tail loop bound off by one (i <= n16)", "kv", "tm_copy_probe",
                        replaceNth("setp\\.ge\\.u64", 2, "setp.gt.u64"), new CopySpec(1040), Failure.FINDING,
                        Set.of(FindingKind.GLOBAL_OUT_OF_BOUNDS, FindingKind.GLOBAL_CROSSES_END)),
                new Mutant("linear mma: A fragment registers a0 and a1 swapped in one mma (rows g and g+8)", "linear",
                        "tm_linear_mma_bf16", replaceNth("(mma\\.sync\\.aligned\\.m16n8k16[^{]*\\{[^}]*\\}, )\\{(%r\\d+),(%r\\d+),", 1,
                        "$1{$3,$2,"), new LinearSpec(130, 136, 72, DType.BF16), Failure.BIT_FOR_BIT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void isRefusedByVerification(Mutant m) {
        MutatedPtx.copyCommitted(dir);
        MutatedPtx.edit(dir, m.family(), m.entry(), m.edit());
        Verification v = verify(m.spec(), m.entry());
        System.out.println("mutant [" + m.name() + "] caught by " + v.failure() + ": " + v.summary());
        assertFalse(v.passed(), m.name() + " passed: " + v.summary());
        assertEquals(m.caughtBy(), v.failure(), m.name() + ": " + v.summary());
        if (!m.kinds().isEmpty())
            assertTrue(m.kinds().stream().anyMatch(k -> v.worst().contains(k.name())), m.name() + ": " + v.worst());
    }

    @Test
    void theUnmutatedCopyPasses() {
        MutatedPtx.copyCommitted(dir);
        Set<String> entries = new LinkedHashSet<>();
        for (Mutant m : mutants()) if (entries.add(m.entry())) assertTrue(verify(m.spec(), m.entry()).passed(), m.entry());
    }

    /** The op verified on an emulator that loads the directory's PTX; the mutated entry must be among its launches. */
    private Verification verify(OpSpec spec, String entry) {
        try (EmuBackend emu = new EmuBackend(dir); PreparedOp op = emu.prepare(spec, PrepareOptions.single())) {
            Verification v = op.verify();
            assertTrue(op.counters().orElseThrow().launches().stream().anyMatch(l -> l.kernel().equals(entry)),
                    entry + " did not run for " + spec.shapeText());
            return v;
        }
    }

    /**
     * gemv keeps one fp32 accumulator per (row of X, row of W) across its chunk loop, and adds each 16-byte chunk's
     * products to it as a chain of fma; the chain's last fma writes the accumulator back (its destination is an addend
     * of an earlier fma). Those become moves: the chunk's last element never counts.
     */
    private static String dropEachChainsLastFma(String body) {
        Pattern fma = Pattern.compile("fma\\.rn\\.f32\\s+(%f\\d+), %f\\d+, %f\\d+, (%f\\d+);");
        Set<String> addends = new LinkedHashSet<>();
        Matcher m = fma.matcher(body);
        StringBuilder out = new StringBuilder();
        int dropped = 0;
        while (m.find()) {
            if (addends.contains(m.group(1))) {
                m.appendReplacement(out, "mov.f32 \t$1, $2;");
                dropped++;
            } else m.appendReplacement(out, "$0");
            addends.add(m.group(2));
        }
        m.appendTail(out);
        assertEquals(8, dropped, "two chunks in flight x four rows of W: the PTX changed, update this mutant");
        return out.toString();
    }
}
