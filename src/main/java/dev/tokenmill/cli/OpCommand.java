package dev.tokenmill.cli;

import dev.tokenmill.Defaults;
import dev.tokenmill.backend.Backend;
import dev.tokenmill.backends.BackendCatalog;
import dev.tokenmill.measure.Timer;
import dev.tokenmill.op.AppendSpec;
import dev.tokenmill.op.CopySpec;
import dev.tokenmill.op.DType;
import dev.tokenmill.op.DecodeSpec;
import dev.tokenmill.op.KvCache;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.op.LinearSpec;
import dev.tokenmill.op.ModelPreset;
import dev.tokenmill.op.OpSpec;
import dev.tokenmill.op.PrefillSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code tokenmill op KIND ...}: one op, verified against the float64 reference, then timed, like
 * cutlass_profiler. Each subcommand turns its flags into a validated {@link OpSpec}; {@link OpRunner} does the rest.
 */
@Command(name = "op", mixinStandardHelpOptions = true, description = "Verifies, then times, one op.", sortOptions = false,
        subcommands = {OpCommand.Linear.class, OpCommand.Prefill.class, OpCommand.Decode.class,
                OpCommand.Append.class, OpCommand.Copy.class})
final class OpCommand {

    /** Parses the flags into a spec, runs it, prints the report; exit 1 when verification fails. */
    abstract static class OpSubcommand implements Callable<Integer> {
        @Mixin OpOptions options;
        @Spec CommandSpec command;

        /** The op the flags describe; throws IllegalArgumentException naming the flag when they are invalid. */
        abstract OpSpec spec();

        /** Where the shape came from (model, projection), recorded with the figures; empty by default. */
        Map<String, Object> origin() { return Map.of(); }

        @Override public Integer call() {
            OpSpec spec = spec();
            Timer timer = options.timer();
            PrintWriter out = command.commandLine().getOut(), err = command.commandLine().getErr();
            OpReport report;
            try (Backend backend = BackendCatalog.select(options.backend); Progress progress = new Progress(err)) {
                report = OpRunner.run(backend, spec, options.seed, timer, progress)
                        .withOrigin(origin(), BackendCatalog.AUTO.equalsIgnoreCase(options.backend));
            }
            return report.print(options.json, out, err);
        }
    }

    /** Subcommands whose dims can come from a model preset and whose dtype is chosen. */
    abstract static class ModelOp extends OpSubcommand {
        @Option(names = "--dtype", order = 90, paramLabel = "f32|f16|bf16", description = "Element type. Default: ${DEFAULT-VALUE}.")
        String dtype = Defaults.DTYPE;

        @Option(names = "--model", order = 91, paramLabel = "NAME", completionCandidates = ModelNames.class,
                description = "Take the dims from a model preset: ${COMPLETION-CANDIDATES}.")
        String model;

        DType dtype() { return DType.parse(dtype); }

        ModelPreset preset() { return model == null ? null : ModelPreset.parse(model); }

        /** A dim given by its flag or taken from {@code --model}, never both (they would disagree silently). */
        int dim(String flag, Integer given, ToIntFunction<ModelPreset> fromModel) {
            ModelPreset p = preset();
            if (given != null && p != null)
                throw new IllegalArgumentException("give --" + flag + " or --model, not both (" + p.id() + " has "
                        + flag + " " + fromModel.applyAsInt(p) + ")");
            if (given != null) return given;
            if (p != null) return fromModel.applyAsInt(p);
            throw new IllegalArgumentException("--" + flag + " is required (or --model NAME, one of "
                    + ModelPreset.allowed() + ")");
        }

        @Override Map<String, Object> origin() {
            return model == null ? Map.of() : Map.of("model", preset().id());
        }
    }

    /** The preset names, for the help text. */
    static final class ModelNames implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() {
            return Arrays.stream(ModelPreset.values()).map(ModelPreset::id).iterator();
        }
    }

    /** Paged (with a block size) or contiguous KV cache, as decode and append take it. */
    static final class CacheLayout {
        @Option(names = "--block-size", paramLabel = "TOKENS",
                description = "Paged cache with this many tokens per block (the default layout, 16 tokens).")
        Integer blockSize;

        @Option(names = "--contiguous", description = "One contiguous slab per sequence instead of a paged cache.")
        boolean contiguous;

        KvLayout layout() {
            if (contiguous && blockSize != null)
                throw new IllegalArgumentException("give --block-size or --contiguous, not both");
            return contiguous ? KvLayout.CONTIGUOUS : KvLayout.PAGED;
        }

        int blockSize() { return blockSize == null ? KvCache.DEFAULT_BLOCK_SIZE : blockSize; }
    }

    @Command(name = "linear", mixinStandardHelpOptions = true, sortOptions = false, description = "Y[M,N] = X[M,K] · W[N,K]^T (a GEMM; a GEMV at small M).")
    static final class Linear extends ModelOp {
        @Option(names = "--m", required = true, description = "Rows: prompt tokens (prefill) or batch (decode).")
        int m;

        @Option(names = "--n", description = "Output features.")
        Integer n;

        @Option(names = "--k", description = "Input features.")
        Integer k;

        @Option(names = "--proj", paramLabel = "NAME", description = "With --model: which projection (qkv, o, gate_up, down, lm_head).")
        String proj;

        @Override LinearSpec spec() {
            DType t = dtype();
            ModelPreset p = preset();
            if (p == null) {
                if (proj != null) throw new IllegalArgumentException("--proj needs --model NAME (the model whose projection it is)");
                if (n == null || k == null) throw new IllegalArgumentException("--n and --k are required (or --model NAME --proj P)");
                return new LinearSpec(m, n, k, t);
            }
            if (n != null || k != null) throw new IllegalArgumentException("give --n and --k, or --model with --proj, not both");
            var projections = Stream.concat(p.projections(m, t).stream(), Stream.of(p.lmHead(m, t))).toList();
            String names = projections.stream().map(ModelPreset.Projection::name).collect(Collectors.joining(", "));
            if (proj == null) throw new IllegalArgumentException("--model needs --proj for linear, one of " + names);
            return projections.stream().filter(x -> x.name().equalsIgnoreCase(proj)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("proj must be one of " + names + ", got '" + proj + "'"))
                    .spec();
        }

        @Override Map<String, Object> origin() {
            if (model == null) return Map.of();
            Map<String, Object> o = new LinkedHashMap<>(super.origin());
            o.put("proj", proj.toLowerCase());
            return o;
        }
    }

    @Command(name = "prefill", mixinStandardHelpOptions = true, sortOptions = false, description = "Causal self-attention over a prompt (GQA, MQA, MHA).")
    static final class Prefill extends ModelOp {
        @Option(names = "--batch", defaultValue = "1", description = "Sequences. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--seq", required = true, description = "Prompt tokens per sequence.")
        int seq;

        @Option(names = "--heads", description = "Query heads.") Integer heads;
        @Option(names = "--kv-heads", description = "KV heads (a divisor of --heads).") Integer kvHeads;
        @Option(names = "--head-dim", description = "64 or 128.") Integer headDim;

        @Override PrefillSpec spec() {
            return new PrefillSpec(batch, seq, dim("heads", heads, p -> p.heads), dim("kv-heads", kvHeads, p -> p.kvHeads),
                    dim("head-dim", headDim, p -> p.headDim), dtype());
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false, description = "One query token per sequence over its KV cache (paged or contiguous).")
    static final class Decode extends ModelOp {
        @Option(names = "--batch", description = "Sequences (implied by --seq-lens).") Integer batch;

        @Option(names = "--context", paramLabel = "L", description = "Cached tokens of every sequence.") Integer context;

        @Option(names = "--seq-lens", split = ",", paramLabel = "a,b,c", description = "Ragged cached lengths, one per sequence.")
        int[] seqLens;

        @Option(names = "--heads", description = "Query heads.") Integer heads;
        @Option(names = "--kv-heads", description = "KV heads (a divisor of --heads).") Integer kvHeads;
        @Option(names = "--head-dim", description = "64 or 128.") Integer headDim;

        @Mixin CacheLayout cacheLayout;

        @Override DecodeSpec spec() {
            int h = dim("heads", heads, p -> p.heads), g = dim("kv-heads", kvHeads, p -> p.kvHeads);
            int d = dim("head-dim", headDim, p -> p.headDim);
            KvLayout layout = cacheLayout.layout();
            DType t = dtype();
            if (context != null && seqLens != null) throw new IllegalArgumentException("give --context or --seq-lens, not both");
            if (seqLens != null) {
                int capacity = Math.max(1, Arrays.stream(seqLens).max().orElse(1));
                int b = batch == null ? seqLens.length : batch;
                return new DecodeSpec(h, new KvCache(b, g, d, seqLens, capacity, layout, cacheLayout.blockSize()), t);
            }
            if (context == null) throw new IllegalArgumentException("--context or --seq-lens is required");
            if (batch == null) throw new IllegalArgumentException("--batch is required with --context");
            return DecodeSpec.uniform(batch, h, g, d, context, layout, cacheLayout.blockSize(), t);
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true, sortOptions = false, description = "Writes each sequence's new k and v into its KV cache.")
    static final class Append extends ModelOp {
        @Option(names = "--batch", required = true, description = "Sequences.") int batch;

        @Option(names = "--context", required = true, paramLabel = "L", description = "Cached tokens before the append.")
        int context;

        @Option(names = "--kv-heads", description = "KV heads.") Integer kvHeads;
        @Option(names = "--head-dim", description = "64 or 128.") Integer headDim;

        @Mixin CacheLayout cacheLayout;

        @Override AppendSpec spec() {
            return AppendSpec.uniform(batch, dim("kv-heads", kvHeads, p -> p.kvHeads), dim("head-dim", headDim, p -> p.headDim),
                    context, cacheLayout.layout(), cacheLayout.blockSize(), dtype());
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true, sortOptions = false, description = "The bandwidth probe: copies one buffer into another.")
    static final class Copy extends OpSubcommand {
        @Option(names = "--bytes", required = true, paramLabel = "N", description = "Bytes to copy: 1048576, 256M, 1G, 1GiB...")
        String bytes;

        @Override CopySpec spec() { return new CopySpec(ByteSize.parse("bytes", bytes)); }
    }
}
