package dev.tokenmill.ptx.exec;

import dev.tokenmill.ptx.check.Finding;
import dev.tokenmill.ptx.check.FindingKind;
import dev.tokenmill.ptx.check.Findings;
import dev.tokenmill.ptx.count.Counters;
import dev.tokenmill.ptx.ir.Instr;

/**
 * Runs one CTA at a time (a worker reuses it for many): each warp runs until none of its lanes can go on;
 * when no warp can, either every thread has exited, or the non-exited ones all wait at bar.sync (the
 * barrier completes: exited threads do not hold it up, as the ISA's {@code exit} says), or lanes wait at a
 * collective whose members will never come (run without them, and reported).
 */
final class Cta {
    final Launch launch;
    final Instr[] code;
    final Counters counters;
    final boolean racecheck, initcheck;
    final SharedMemory shared = new SharedMemory();
    final Lsu lsu = new Lsu(this);
    final Warp[] warps;
    final int nWarps;
    /** cp.async operations issued by any thread of this CTA that have not landed. */
    int cpInFlight;
    /** Warp instructions this CTA may still execute. */
    long budget;
    /** The CTA being run and the findings of it. */
    final int[] ctaId = new int[3];
    Findings findings;

    final int[] scratchInts = new int[32];
    final TensorCore tensorCore = new TensorCore();

    Cta(Launch launch, Counters counters) {
        this.launch = launch;
        this.code = launch.program().code();
        this.counters = counters;
        this.racecheck = launch.options().racecheck();
        this.initcheck = launch.options().initcheck();
        this.nWarps = (launch.threadsPerCta() + 31) / 32;
        this.warps = new Warp[nWarps];
        for (int k = 0; k < nWarps; k++) warps[k] = new Warp(this);
    }

    /** Runs CTA number {@code linear} (x fastest) and returns its findings, or null when there are none. */
    Findings run(long linear) {
        Dim3 g = launch.grid();
        ctaId[0] = (int) (linear % g.x());
        ctaId[1] = (int) (linear / g.x() % g.y());
        ctaId[2] = (int) (linear / ((long) g.x() * g.y()));
        findings = null;
        cpInFlight = 0;
        budget = launch.options().maxWarpInstructionsPerCta();
        shared.reset(launch.sharedBytes());
        int threads = launch.threadsPerCta();
        for (int k = 0; k < nWarps; k++) warps[k].reset(launch.program(), k, Math.min(32, threads - 32 * k), launch, ctaId);
        counters.ctas++;
        counters.warps += nWarps;
        counters.threads += threads;
        while (true) {
            boolean ran = false;
            for (Warp w : warps) {
                if (w.active != 0) {
                    w.run(counters);
                    ran = true;
                }
            }
            if (ran) continue;
            Warp stalled = null;
            boolean anyLive = false;
            for (Warp w : warps) {
                anyLive |= w.live != 0;
                if (stalled == null && (w.parked & w.live) != 0) stalled = w;
            }
            if (!anyLive) break;
            if (stalled != null) {
                stalled.forceParked();
                continue;
            }
            completeBarrier();
        }
        return findings;
    }

    /** Every non-exited thread waits at a bar.sync: check that it is the same one, then release them all. */
    private void completeBarrier() {
        int firstPc = -1;
        Warp odd = null;
        int oddLane = -1;
        for (Warp w : warps) {
            for (int m = w.atBarrier; m != 0; m &= m - 1) {
                int l = Integer.numberOfTrailingZeros(m);
                if (firstPc < 0) firstPc = w.barrierPc[l];
                else if (w.barrierPc[l] != firstPc && odd == null) {
                    odd = w;
                    oddLane = l;
                }
            }
        }
        if (odd != null) {
            report(FindingKind.BARRIER_DIVERGENCE, code[odd.barrierPc[oddLane]], odd.index, oddLane, -1, null,
                    "this thread waits at this bar.sync while others wait at line " + code[firstPc].line
                            + " (bar.sync is .aligned: every thread must reach the same one)");
        }
        counters.barriers++;
        shared.epoch++;
        for (Warp w : warps) if (w.atBarrier != 0) w.releaseBarrier();
    }

    /** Stops the CTA (every warp) after it ran past its instruction budget, and says where it was. */
    void stopRunaway(Instr at, int warp, int lane) {
        report(FindingKind.INSTRUCTION_LIMIT, at, warp, lane, -1, null, "stopped after "
                + launch.options().maxWarpInstructionsPerCta() + " warp instructions (an endless loop?); results are incomplete");
        for (Warp w : warps) w.kill();
        cpInFlight = 0;
    }

    String sharedWindow() {
        int dyn = launch.dynamicShared();
        return "shared window of " + shared.size + " bytes: " + launch.program().staticShared() + " static"
                + (dyn > 0 ? " + " + dyn + " dynamic at " + launch.program().dynamicSharedBase() : "");
    }

    void report(FindingKind kind, Instr in, int warp, int lane, long address, String where, String detail) {
        if (findings == null) findings = new Findings(launch.options().maxFindings());
        if (findings.seen(kind, in.line)) {
            findings.count(kind, in.line);
            return;
        }
        Dim3 b = launch.block();
        int t = warp * 32 + lane;
        int[] thread = {t % b.x(), t / b.x() % b.y(), t / (b.x() * b.y())};
        findings.add(new Finding(kind, launch.program().name(), in.line, in.text, ctaId.clone(), thread, address,
                where, detail, 1));
    }

    /** A finding at a line rather than an instruction (a cp.async that lands at a later wait). */
    void reportAt(FindingKind kind, int line, int warp, int lane, long address, String detail) {
        Instr at = null;
        for (Instr in : code) {
            if (in.line == line) {
                at = in;
                break;
            }
        }
        report(kind, at, warp, lane, address, sharedWindow(), detail);
    }
}
