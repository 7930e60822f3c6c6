package dev.tokenmill.cli;

import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.PrefillSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flags scripts rely on turn into exactly the spec they describe. */
class OpCommandParseTest {
    @Test
    void linearTakesItsShapeAndDefaultsToBf16() {
        assertEquals(new LinearSpec(1, 4096, 14336, DType.BF16), Cli.parseOp("op", "linear", "--m", "1", "--n", "4096", "--k", "14336"));
        assertEquals(new LinearSpec(3, 5, 7, DType.F16), Cli.parseOp("op", "linear", "--m", "3", "--n", "5", "--k", "7", "--dtype", "F16"));
    }

    @Test
    void linearTakesAProjectionOfAModel() {
        assertEquals(new LinearSpec(1, 6144, 4096, DType.BF16),
                Cli.parseOp("op", "linear", "--model", "llama-3.1-8b", "--proj", "qkv", "--m", "1"));
        assertEquals(new LinearSpec(512, 128256, 4096, DType.F32),
                Cli.parseOp("op", "linear", "--model", "Llama-3.1-8B", "--proj", "lm_head", "--m", "512", "--dtype", "f32"));
        assertEquals(new LinearSpec(8, 8192, 28672, DType.BF16),
                Cli.parseOp("op", "linear", "--model", "llama-3.1-70b", "--proj", "down", "--m", "8"));
    }

    @Test
    void prefillTakesDimsFromFlagsOrAModel() {
        assertEquals(new PrefillSpec(2, 100, 32, 8, 128, DType.BF16),
                Cli.parseOp("op", "prefill", "--batch", "2", "--seq", "100", "--heads", "32", "--kv-heads", "8", "--head-dim", "128"));
        assertEquals(new PrefillSpec(1, 64, 28, 4, 128, DType.F16),
                Cli.parseOp("op", "prefill", "--seq", "64", "--model", "qwen2.5-7b", "--dtype", "f16"));
    }

    @Test
    void decodeIsPagedWithBlocksOf16UnlessToldOtherwise() {
        DecodeSpec paged = (DecodeSpec) Cli.parseOp("op", "decode", "--batch", "4", "--heads", "32", "--kv-heads", "8",
                "--head-dim", "128", "--context", "1000");
        assertEquals(DecodeSpec.uniform(4, 32, 8, 128, 1000, KvLayout.PAGED, 16, DType.BF16), paged);

        DecodeSpec blocks = (DecodeSpec) Cli.parseOp("op", "decode", "--batch", "1", "--model", "llama-3.2-1b",
                "--context", "33", "--block-size", "32");
        assertEquals(32, blocks.cache().blockSize());
        assertEquals(64, blocks.headDim());

        DecodeSpec contiguous = (DecodeSpec) Cli.parseOp("op", "decode", "--batch", "2", "--heads", "8", "--kv-heads", "1",
                "--head-dim", "64", "--context", "5", "--contiguous", "--dtype", "f32");
        assertEquals(KvLayout.CONTIGUOUS, contiguous.cache().layout());
        assertEquals(DType.F32, contiguous.dtype());
    }

    @Test
    void decodeTakesRaggedLengthsAndImpliesTheBatch() {
        DecodeSpec d = (DecodeSpec) Cli.parseOp("op", "decode", "--heads", "8", "--kv-heads", "2", "--head-dim", "64",
                "--seq-lens", "1,17,300");
        assertEquals(3, d.batch());
        assertArrayEquals(new int[]{1, 17, 300}, d.cache().seqLens());
        assertEquals(300, d.cache().capacity());
        assertEquals(318, d.cache().totalTokens());
        assertFalse(d.cache().isUniform());
    }

    @Test
    void appendLeavesRoomForTheNewToken() {
        AppendSpec a = (AppendSpec) Cli.parseOp("op", "append", "--batch", "3", "--kv-heads", "8", "--head-dim", "128",
                "--context", "15", "--block-size", "16");
        assertEquals(AppendSpec.uniform(3, 8, 128, 15, KvLayout.PAGED, 16, DType.BF16), a);
        AppendSpec m = (AppendSpec) Cli.parseOp("op", "append", "--batch", "1", "--model", "mistral-7b", "--context", "0", "--contiguous");
        assertEquals(new KvCache(1, 8, 128, new int[]{0}, 1, KvLayout.CONTIGUOUS, 0), m.cache());
    }

    @Test
    void copyReadsByteCountsAsPeopleWriteThem() {
        assertEquals(new CopySpec(1048576), Cli.parseOp("op", "copy", "--bytes", "1048576"));
        assertEquals(new CopySpec(256L << 20), Cli.parseOp("op", "copy", "--bytes", "256M"));
        assertEquals(new CopySpec(1L << 30), Cli.parseOp("op", "copy", "--bytes", "1G"));
        assertEquals(new CopySpec(1L << 30), Cli.parseOp("op", "copy", "--bytes", "1GiB"));
        assertEquals(new CopySpec(1_000_000_000L), Cli.parseOp("op", "copy", "--bytes", "1GB"));
    }

    @Test
    void commonOptionsHaveTheDocumentedDefaultsAndOverrides() {
        OpOptions defaults = options("op", "copy", "--bytes", "4K");
        assertEquals("auto", defaults.backend);
        assertFalse(defaults.json);
        assertEquals(2.0, defaults.minTime);
        assertEquals(0.5, defaults.warmup);

        OpOptions set = options("op", "copy", "--bytes", "4K", "--backend", "cpu", "--json", "--seed", "7",
                "--min-time", "0.25", "--warmup", "0");
        assertEquals("cpu", set.backend);
        assertTrue(set.json);
        assertEquals(7, set.seed);
        assertEquals(0.25, set.minTime);
        assertEquals(0, set.warmup);
    }

    private static OpOptions options(String... args) {
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(args);
        while (r.hasSubcommand()) r = r.subcommand();
        return ((OpCommand.OpSubcommand) r.commandSpec().userObject()).options;
    }
}
