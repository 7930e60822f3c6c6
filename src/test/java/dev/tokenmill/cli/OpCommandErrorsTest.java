package dev.tokenmill.cli;

import dev.tokenmill.cuda.CudaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Every rejected input: exit 2, nothing on stdout, one sentence on stderr naming what is wrong, no stack trace. */
class OpCommandErrorsTest {
    private static final String[] LINEAR = {"op", "linear", "--m", "4", "--n", "4", "--k", "4"};
    private static final String[] DECODE = {"op", "decode", "--heads", "8", "--kv-heads", "2", "--head-dim", "64"};
    private static final String[] APPEND = {"op", "append", "--batch", "2", "--kv-heads", "2", "--head-dim", "64"};

    static Stream<Arguments> badInput() {
        return Stream.of(
                bad("Missing required subcommand", "op"),
                bad("Unmatched argument at index 1: 'gemm'", "op", "gemm"),
                bad("--m", "op", "linear", "--n", "4", "--k", "4"),
                bad("m must be >= 1, got 0", "op", "linear", "--m", "0", "--n", "4", "--k", "4"),
                bad("'x' is not an int", "op", "linear", "--m", "x", "--n", "4", "--k", "4"),
                bad("--n and --k are required", "op", "linear", "--m", "4", "--n", "4"),
                bad("dtype must be one of f32, f16, bf16, got 'fp8'", with(LINEAR, "--dtype", "fp8")),
                bad("backend must be one of auto, cpu, cuda", with(LINEAR, "--backend", "tpu")),
                bad("min-time must be in 0..3600 seconds", with(LINEAR, "--min-time", "-1")),
                bad("warmup must be in 0..3600 seconds", with(LINEAR, "--warmup", "NaN")),
                bad("Unknown option: '--no-verify'", with(LINEAR, "--no-verify")),
                bad("--model needs --proj for linear, one of qkv, o, gate_up, down, lm_head",
                        "op", "linear", "--m", "4", "--model", "llama-3.1-8b"),
                bad("--proj needs --model", with(LINEAR, "--proj", "qkv")),
                bad("proj must be one of qkv, o, gate_up, down, lm_head, got 'mlp'",
                        "op", "linear", "--m", "4", "--model", "llama-3.1-8b", "--proj", "mlp"),
                bad("model must be one of llama-3.1-8b", "op", "linear", "--m", "4", "--model", "gpt-9", "--proj", "qkv"),
                bad("give --n and --k, or --model with --proj, not both",
                        "op", "linear", "--m", "4", "--model", "llama-3.1-8b", "--proj", "qkv", "--n", "5"),
                bad("heads (32) must be a multiple of kv-heads (6)",
                        "op", "prefill", "--seq", "8", "--heads", "32", "--kv-heads", "6", "--head-dim", "128"),
                bad("head-dim must be 64 or 128, got 96",
                        "op", "prefill", "--seq", "8", "--heads", "32", "--kv-heads", "8", "--head-dim", "96"),
                bad("seq must be >= 1, got 0",
                        "op", "prefill", "--seq", "0", "--heads", "32", "--kv-heads", "8", "--head-dim", "128"),
                bad("--heads is required (or --model NAME", "op", "prefill", "--seq", "8", "--kv-heads", "8", "--head-dim", "128"),
                bad("give --heads or --model, not both (llama-3.1-8b has heads 32)",
                        "op", "prefill", "--seq", "8", "--model", "llama-3.1-8b", "--heads", "8"),
                bad("give --context or --seq-lens, not both", with(DECODE, "--batch", "2", "--context", "8", "--seq-lens", "1,2")),
                bad("--context or --seq-lens is required", with(DECODE, "--batch", "2")),
                bad("--batch is required with --context", with(DECODE, "--context", "8")),
                bad("context must be >= 1, got 0", with(DECODE, "--batch", "1", "--context", "0")),
                bad("seq_lens[1] must be >= 1 for decode, got 0", with(DECODE, "--seq-lens", "4,0")),
                bad("seq_lens has 2 entries, batch is 3", with(DECODE, "--batch", "3", "--seq-lens", "4,5")),
                bad("give --block-size or --contiguous, not both", with(DECODE, "--batch", "1", "--context", "8",
                        "--block-size", "16", "--contiguous")),
                bad("block-size must be a power of two in 1..256, got 12", with(DECODE, "--batch", "1", "--context", "8",
                        "--block-size", "12")),
                bad("kv-heads must be >= 1, got 0", "op", "decode", "--heads", "8", "--kv-heads", "0", "--head-dim", "64",
                        "--batch", "1", "--context", "8"),
                bad("context must be in 0..", with(APPEND, "--context", "-1")),
                bad("Unknown options: '--heads'", with(APPEND, "--context", "4", "--heads", "8")),
                bad("batch must be >= 1, got 0", "op", "append", "--batch", "0", "--kv-heads", "2", "--head-dim", "64", "--context", "3"),
                bad("bytes must be a multiple of 16 in 16..2^36, got 1000", "op", "copy", "--bytes", "1000"),
                bad("bytes must be a multiple of 16 in 16..2^36, got 1099511627776", "op", "copy", "--bytes", "1T"),
                bad("bytes must be a byte count such as 1048576, 256M, 1G or 1GiB, got '12Q'", "op", "copy", "--bytes", "12Q"),
                bad("Unknown options: '--dtype'", "op", "copy", "--bytes", "1M", "--dtype", "f16"),
                // shapes that cannot fit: refused before anything is allocated, never an out-of-memory error
                bad("of operands, more than the 80% of", with(DECODE, "--batch", "2", "--context", "2000000000")),
                bad("of operands, more than the 80% of", with(DECODE, "--seq-lens", "2147483647")),
                bad("of operands, more than the 80% of", "op", "copy", "--bytes", "64G"),
                bad("batch must be at most 1048576 sequences, got 2000000000", "op", "append", "--batch", "2000000000",
                        "--kv-heads", "2", "--head-dim", "64", "--context", "10"),
                bad("batch must be at most 1048576 sequences, got 2000000000",
                        "op", "decode", "--model", "llama-3.1-70b", "--batch", "2000000000", "--context", "8192"),
                bad("the paged cache would need 4294967296 blocks of 1 tokens, more than 2^31 - 1",
                        "op", "decode", "--heads", "1", "--kv-heads", "1", "--head-dim", "64", "--batch", "65536",
                        "--context", "65536", "--block-size", "1"),
                bad("KV cache has more than 2^63 elements", "op", "decode", "--heads", "1048576", "--kv-heads", "1048576",
                        "--head-dim", "128", "--batch", "1048576", "--context", "2000000000", "--contiguous"),
                bad("q has 2199023255552 elements; at most 2^40", "op", "decode", "--heads", "1048576", "--kv-heads", "1",
                        "--head-dim", "128", "--batch", "16384", "--context", "1"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badInput")
    void badInputIsOneSentenceAndExit2(String expected, String commandLine, String[] args) {
        Cli.Result r = Cli.run(args);
        assertEquals(Main.USAGE, r.code(), r.err());
        assertOneSentence(r, expected);
    }

    @Test
    void anUnavailableBackendIsOneSentenceAndExit1() {
        assumeFalse(new CudaBackend().availability().available(), "CUDA works here");
        Cli.Result r = Cli.run(with(LINEAR, "--backend", "cuda"));
        assertEquals(1, r.code(), r.err());
        assertOneSentence(r, "the cuda backend does not work here: ");
    }

    static void assertOneSentence(Cli.Result r, String expected) {
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().getFirst();
        assertTrue(line.startsWith("tokenmill: "), line);
        assertTrue(line.contains(expected), () -> "expected '" + expected + "' in: " + line);
        assertFalse(line.contains("Exception"), line);
    }

    private static Arguments bad(String expected, String... args) {
        return Arguments.of(expected, String.join(" ", args), args);
    }

    private static String[] with(String[] base, String... more) {
        return Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    }
}
