package dev.tokenmill.ptx.parse;

import dev.tokenmill.ptx.ir.RegFile;
import dev.tokenmill.ptx.ir.SpecialReg;
import dev.tokenmill.ptx.ir.Type;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Register slots of one entry: declared registers (with nested {@code { }} scopes, as inline asm
 * produces), deduplicated constants for immediates, and special registers.
 */
final class Regs {
    record Reg(RegFile file, int index, Type type) {}

    private final Deque<Map<String, Reg>> scopes = new ArrayDeque<>();
    private int r32, r64, preds;
    private final Map<Long, Integer> const32 = new LinkedHashMap<>();
    private final Map<Long, Integer> const64 = new LinkedHashMap<>();
    private final Map<Integer, Integer> constPred = new LinkedHashMap<>();
    private final Map<SpecialReg, Integer> specials = new LinkedHashMap<>();

    Regs() {
        scopes.push(new HashMap<>());
    }

    void open() {
        scopes.push(new HashMap<>());
    }

    void close() {
        scopes.pop();
    }

    void declare(String name, Type type) {
        RegFile f = type.file();
        int index = switch (f) {
            case PRED -> preds++;
            case R32 -> r32++;
            case R64 -> r64++;
        };
        scopes.peek().put(name, new Reg(f, index, type));
    }

    /** The register a name refers to in the current scope, or null. */
    Reg lookup(String name) {
        for (Map<String, Reg> s : scopes) {
            Reg r = s.get(name);
            if (r != null) return r;
        }
        return null;
    }

    int const32(long value) {
        return const32.computeIfAbsent(value & 0xFFFFFFFFL, v -> r32++);
    }

    int const64(long value) {
        return const64.computeIfAbsent(value, v -> r64++);
    }

    int constPred(boolean value) {
        return constPred.computeIfAbsent(value ? 1 : 0, v -> preds++);
    }

    int special(SpecialReg s) {
        return specials.computeIfAbsent(s, k -> r32++);
    }

    int r32Count() {
        return r32;
    }

    int r64Count() {
        return r64;
    }

    int predCount() {
        return preds;
    }

    long[] const32Pairs() {
        return pairs(const32);
    }

    long[] const64Pairs() {
        return pairs(const64);
    }

    int[] constPredPairs() {
        int[] out = new int[constPred.size() * 2];
        int k = 0;
        for (var e : constPred.entrySet()) {
            out[k++] = e.getValue();
            out[k++] = e.getKey();
        }
        return out;
    }

    int[] specialSlots() {
        return specials.values().stream().mapToInt(Integer::intValue).toArray();
    }

    SpecialReg[] specialKinds() {
        return specials.keySet().toArray(SpecialReg[]::new);
    }

    private static long[] pairs(Map<Long, Integer> m) {
        List<Long> out = new ArrayList<>();
        for (var e : m.entrySet()) {
            out.add((long) e.getValue());
            out.add(e.getKey());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
