package dev.tokenmill.ptx.parse;

import dev.tokenmill.ptx.ir.Instr;
import dev.tokenmill.ptx.ir.Op;
import dev.tokenmill.ptx.ir.Operands;
import dev.tokenmill.ptx.ir.Program;
import dev.tokenmill.ptx.ir.RegFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Gives 32-bit (and 64-bit) registers whose live ranges do not overlap the same slot of the warp's register
 * file, as a register allocator would. Compilers emit PTX in near-SSA form: {@code tm_linear_mma_f16}
 * declares 1,660 32-bit registers where ptxas needs 124, so a warp's file was 225 KiB, eight warps 1.8 MiB:
 * every CTA zeroed it (8% of that kernel's time) and its working set did not stay in the core's caches.
 *
 * <p>Liveness is the usual backward dataflow over the control-flow graph (a branch goes to its target, and
 * to the next instruction when guarded; a guarded write does not end the old value's life, since lanes with
 * the guard false keep it). A register's range is the span, in instruction order, of every point where it
 * is read, written, live in or live out; two registers share a slot only if their spans are disjoint. That is
 * safe lane by lane, since each lane runs a path of that graph: a write to the slot happens inside the
 * writer's span, so never where the other register is live. A register read before any write (undefined in
 * PTX) is live from the entry on, so no other register shares its slot before that read: it still reads 0,
 * as every slot starts at 0. Constants and special registers keep slots of their own. Predicates are not
 * renamed (an int per register).
 */
final class RegisterPacking {
    private RegisterPacking() {}

    static Program pack(Program p) {
        Instr[] code = p.code();
        int n = code.length, n32 = p.regs32(), vars = n32 + p.regs64(), words = (vars + 63) >>> 6;
        long[] use = new long[n * words], kill = new long[n * words];
        int[] first = new int[vars], last = new int[vars];
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, -1);
        for (int pc = 0; pc < n; pc++) {
            Instr in = code[pc];
            int base = pc * words, at = pc;
            boolean guarded = in.guard >= 0;
            Operands.visit(in, (file, written, offset) -> {
                int v = (file == RegFile.R64 ? n32 : 0) + offset / 32;
                if (written) {
                    if (!guarded) kill[base + (v >>> 6)] |= 1L << v;
                } else {
                    use[base + (v >>> 6)] |= 1L << v;
                }
                first[v] = Math.min(first[v], at);
                last[v] = Math.max(last[v], at);
                return offset;
            });
        }
        long[] liveIn = liveIn(code, use, kill, words);
        long[] out = new long[words];
        for (int pc = 0; pc < n; pc++) {
            liveOut(code, liveIn, words, pc, out);
            for (int w = 0; w < words; w++) {
                for (long bits = liveIn[pc * words + w] | out[w]; bits != 0; bits &= bits - 1) {
                    int v = w * 64 + Long.numberOfTrailingZeros(bits);
                    first[v] = Math.min(first[v], pc);
                    last[v] = Math.max(last[v], pc);
                }
            }
        }
        // constants and special registers: alive from the first instruction to the last
        List<Integer> pinned32 = new ArrayList<>(), pinned64 = new ArrayList<>();
        for (int k = 0; k < p.constR32().length; k += 2) pinned32.add((int) p.constR32()[k]);
        for (int s : p.specials()) pinned32.add(s);
        for (int k = 0; k < p.constR64().length; k += 2) pinned64.add((int) p.constR64()[k]);
        for (int s : pinned32) {
            first[s] = 0;
            last[s] = n - 1;
        }
        for (int s : pinned64) {
            first[n32 + s] = 0;
            last[n32 + s] = n - 1;
        }
        int[] slot32 = new int[n32], slot64 = new int[vars - n32];
        int count32 = assign(first, last, 0, n32, slot32), count64 = assign(first, last, n32, vars, slot64);
        for (Instr in : code) {
            Operands.visit(in, (file, written, offset) -> (file == RegFile.R64 ? slot64 : slot32)[offset / 32] * 32);
        }
        long[] c32 = p.constR32().clone(), c64 = p.constR64().clone();
        for (int k = 0; k < c32.length; k += 2) c32[k] = slot32[(int) c32[k]];
        for (int k = 0; k < c64.length; k += 2) c64[k] = slot64[(int) c64[k]];
        int[] specials = p.specials().clone();
        for (int k = 0; k < specials.length; k++) specials[k] = slot32[specials[k]];
        return new Program(p.module(), p.name(), code, count32, count64, p.preds(), c32, c64, p.constPred(), specials,
                p.specialKinds(), p.params(), p.paramBytes(), p.staticShared(), p.dynamicSharedBase(), p.maxThreads(),
                p.requiredThreads());
    }

    /** Live-in sets of every instruction: iterated backwards to the fixed point. */
    private static long[] liveIn(Instr[] code, long[] use, long[] kill, int words) {
        int n = code.length;
        long[] in = new long[n * words], out = new long[words];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pc = n - 1; pc >= 0; pc--) {
                liveOut(code, in, words, pc, out);
                int base = pc * words;
                for (int w = 0; w < words; w++) {
                    long v = use[base + w] | out[w] & ~kill[base + w];
                    if (v != in[base + w]) {
                        in[base + w] = v;
                        changed = true;
                    }
                }
            }
        }
        return in;
    }

    /** The union of the live-in sets of pc's successors, into {@code out}. */
    private static void liveOut(Instr[] code, long[] liveIn, int words, int pc, long[] out) {
        Arrays.fill(out, 0L);
        Instr in = code[pc];
        boolean guarded = in.guard >= 0;
        boolean next = in.op == Op.BRA || in.op == Op.EXIT ? guarded : true;
        if (next && pc + 1 < code.length) or(out, liveIn, (pc + 1) * words, words);
        if (in.op == Op.BRA) or(out, liveIn, in.target * words, words);
    }

    private static void or(long[] out, long[] sets, int base, int words) {
        for (int w = 0; w < words; w++) out[w] |= sets[base + w];
    }

    /**
     * Slots for virtual registers [from, to) by their spans: in order of first point, each takes the lowest
     * slot whose last holder's span has ended (interval colouring: as many slots as spans overlap at most).
     * Registers never used get no slot. Returns the number of slots.
     */
    private static int assign(int[] first, int[] last, int from, int to, int[] slot) {
        Integer[] order = new Integer[to - from];
        int m = 0;
        for (int v = from; v < to; v++) if (last[v] >= 0) order[m++] = v;
        Integer[] used = Arrays.copyOf(order, m);
        Arrays.sort(used, (x, y) -> Integer.compare(first[x], first[y]));
        PriorityQueue<int[]> busy = new PriorityQueue<>((x, y) -> Integer.compare(x[0], y[0])); // {last, slot}
        PriorityQueue<Integer> free = new PriorityQueue<>();
        int slots = 0;
        for (int v : used) {
            while (!busy.isEmpty() && busy.peek()[0] < first[v]) free.add(busy.poll()[1]);
            int s = free.isEmpty() ? slots++ : free.poll();
            slot[v - from] = s;
            busy.add(new int[] {last[v], s});
        }
        return slots;
    }
}
