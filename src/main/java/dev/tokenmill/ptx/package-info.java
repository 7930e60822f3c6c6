/**
 * A PTX interpreter: runs the committed {@code kernels/ptx/*.ptx} on the CPU with SIMT semantics, checks each
 * launch like compute-sanitizer and counts like Nsight Compute. For correctness and counters, never timings.
 * A leaf library: it imports nothing from other tokenmill packages.
 *
 * <h2>Usage</h2>
 * A CUDA-driver-like loop (what an emulated {@code cuMemAlloc}/{@code cuModuleLoadData}/{@code cuLaunchKernel}
 * does):
 * <pre>{@code
 * PtxModule module = PtxModule.load("kv.sm_80.ptx", ptxText);      // parse + decode once; refuses what it cannot run
 * Kernel copy = module.kernel("tm_copy_probe");                     // cuModuleGetFunction
 * GlobalMemory mem = new GlobalMemory();                            // the context's device memory
 * long src = mem.alloc(bytes), dst = mem.alloc(bytes);              // 256-aligned, never 0
 * mem.write(src, hostBytes);                                        // HtoD; marks the bytes initialized
 * try (Interpreter emu = new Interpreter()) {                       // a pool of CTA workers
 *     LaunchReport r = copy.launch(emu, Dim3.of(64), Dim3.of(256), 0, // grid, block, dynamic shared bytes
 *             copy.newParams().set(0, src).set(1, dst).set(2, bytes / 16), mem);
 *     if (!r.clean()) throw new AssertionError(r);                  // findings: kind, line, block, thread, address
 *     long sectors = r.counters().globalLoadSectors;                // counters: facts of the launch
 * }
 * byte[] out = mem.read(dst, bytes);                                // DtoH
 * }</pre>
 * Parameters can also be given as the raw buffer ({@link dev.tokenmill.ptx.Kernel#params()} gives each one's
 * offset and size, laid out as cuLaunchKernel does). Launch errors that CUDA reports before running (a block
 * over 1024 threads or the entry's {@code .maxntid}, too much shared memory, a parameter buffer of the wrong
 * size) throw {@link java.lang.IllegalArgumentException}; problems of the kernel itself are findings.
 *
 * <h2>Execution model</h2>
 * <ul>
 * <li>Decoded once ({@code ptx.parse} to {@code ptx.ir}): one {@link dev.tokenmill.ptx.ir.Op} per opcode and
 * width, registers as offsets into lane arrays, immediates and special registers as preloaded constant
 * registers. Unsupported opcodes, modifiers, types, state spaces and directives fail the load with
 * {@code file:line: cannot load '<instruction>': <why>}.</li>
 * <li>Warps of 32 lanes in lockstep, each lane with its own PC; the warp runs the runnable lanes at the
 * lowest PC, so branches that split a warp reconverge where the paths meet (the post-dominator, for the
 * forward branches and loops compilers emit).</li>
 * <li>{@code bar.sync} (= {@code barrier.sync.aligned}): a warp runs until its lanes wait at a barrier or
 * exit; when every non-exited thread of the CTA waits, the barrier completes. Exited threads do not hold it
 * up (the ISA's {@code exit}); threads waiting at different {@code bar.sync} instructions are reported.</li>
 * <li>{@code .sync} collectives are rendezvous points: {@code shfl.sync} waits until every non-exited lane of
 * its member mask has reached it, {@code mma}/{@code ldmatrix} ({@code .aligned}) for all 32 lanes; an
 * {@code .aligned} one reached by a diverged warp is reported (the ISA leaves it undefined) and still waits.
 * If the missing lanes can never come, the collective runs with the lanes present and is reported.</li>
 * <li>{@code cp.async}: each thread's copies join its open group; {@code commit_group} closes it;
 * {@code wait_group N} lands every copy of that thread but those of its N newest groups (a thread's
 * pending copies land when it exits). The bytes are read and written when the copy lands, not at issue;
 * src-size below cp-size zero-fills.</li>
 * <li>Numerics: integers bit-exact; f32 add/sub/mul/fma/div.rn/rcp.rn/sqrt.rn IEEE round-to-nearest-even with
 * subnormals (add/mul are never fused: ptxas may fuse them on a GPU); NaN results canonical (0x7FFFFFFF,
 * f16/bf16 0x7FFF); min/max return the non-NaN operand and order -0 below +0; conversions to f16/bf16 round
 * to nearest even with subnormals and overflow to infinity. Integer division by zero gives all ones and is
 * reported (the ISA leaves it unspecified).</li>
 * <li>{@code ex2.approx.f32}: the ISA (9.7.3.21) says "The maximum ulp error is 2 ulp from correctly rounded
 * result across the full range of inputs", with -Inf giving +0.0, -0.0 and +0.0 giving +1.0, +Inf giving +Inf,
 * NaN giving NaN, and subnormal inputs and results supported ({@code .ftz} would flush them to sign-preserving
 * zero). The interpreter computes 2^x in double and rounds once to f32, a faithful rounding (within 1 ulp of
 * the exact power, so at most 1 ulp from the correctly rounded result); {@code NumericsTest} checks both
 * bounds on every 8191st bit pattern and densely where results are subnormal or near overflow. Not
 * supported (refused at load, the committed PTX has neither): {@code ex2.approx.ftz.f32} (same bound, with
 * the flushing) and {@code rcp.approx.f32} (9.7.3.13: "The maximum ulp error is 1 across the full range of
 * inputs").</li>
 * <li>{@code mma.m16n8k16} with f16 or bf16 inputs and f32 accumulators: each output is C plus its 16
 * products, summed in double in k order and rounded once to f32. Every product is exact in double, so this is
 * the exact sum up to double rounding. The ISA (9.7.15.5, "Precision and rounding") allows it: for .f16,
 * "Element-wise multiplication of matrix A and B is performed with at least single precision. When .ctype or
 * .dtype is .f32, accumulation of the intermediate values is performed with at least single precision";
 * for .bf16, "Element-wise multiplication of matrix A and B is performed with specified precision.
 * Accumulation of the intermediate values is performed with at least single precision"; for both, "The
 * accumulation order, rounding and handling of subnormal inputs are unspecified." A GPU may therefore
 * differ from the interpreter in the last bits of an output.</li>
 * <li>CTAs run in parallel on the interpreter's workers; counters are summed and findings merged in CTA order,
 * so reports do not depend on the number of threads.</li>
 * </ul>
 *
 * <h2>Checks ({@code ptx.check})</h2>
 * memcheck (null, outside every allocation, crossing an allocation's end, freed, misaligned for the access
 * size incl. {@code .v2/.v4} and cp.async, shared past the CTA's static + dynamic bytes: never performed, so
 * another allocation is never corrupted), racecheck (shared-memory RAW/WAR/WAW between warps within one
 * barrier interval, per 4-byte word), synccheck (divergent barriers, collectives not converged, outside their
 * mask, or after lanes exited), cp.async (destination read or written before its group was waited for),
 * initcheck (global bytes no host write or kernel store initialized, shared bytes this CTA did not write).
 * Each distinct (kind, line) is kept once with its occurrence count.
 *
 * <h2>Counters ({@code ptx.count})</h2>
 * Warp instructions by {@link dev.tokenmill.ptx.ir.Op} and class, thread instructions, tensor FLOPs, global
 * requests / 32-byte sectors / bytes, shared requests / wavefronts (32 banks of 4 bytes, phases of 128 bytes
 * of lanes, one 8x8 matrix per ldmatrix phase), cp.async bytes and sectors, barriers, and theoretical
 * occupancy for a given {@link dev.tokenmill.ptx.count.SmSpec}.
 */
package dev.tokenmill.ptx;
