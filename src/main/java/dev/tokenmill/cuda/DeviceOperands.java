package dev.tokenmill.cuda;

import dev.tokenmill.tensor.Operands;
import dev.tokenmill.op.KvLayout;
import dev.tokenmill.tensor.HostTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One operand set on the device: a copy of host {@link Operands} (inputs and NaN-poisoned outputs), in the
 * same layouts. Outputs come back with {@link #downloadOutputs}, so the host Verifier checks them.
 */
sealed interface DeviceOperands extends AutoCloseable {

    /**
     * Copies {@code host} to the device; when an allocation fails, what was allocated is freed. The copies are
     * synchronous: synchronize the device before launching on another stream.
     */
    static DeviceOperands upload(Driver driver, Operands host) {
        Uploads u = new Uploads(driver);
        try {
            return switch (host) {
                case Operands.Linear l -> new Linear(u.of(l.x()), u.of(l.w()), u.of(l.y()));
                case Operands.Prefill p -> new Prefill(u.of(p.q()), u.of(p.k()), u.of(p.v()), u.of(p.o()));
                case Operands.Decode d -> new Decode(u.of(d.q()), Cache.upload(d.cache(), u), u.of(d.o()));
                case Operands.Append a -> new Append(u.of(a.k()), u.of(a.v()), Cache.upload(a.cache(), u));
                case Operands.Copy c -> new Copy(u.of(c.src()), u.of(c.dst()));
            };
        } catch (RuntimeException e) {
            u.release(e);
            throw e;
        }
    }

    /** Copies the outputs into {@code host} (which must be the set these were uploaded from, or one like it). */
    void downloadOutputs(Operands host);

    /** Device bytes this set occupies. */
    long bytes();

    @Override void close();

    record Linear(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y) implements DeviceOperands {
        @Override public void downloadOutputs(Operands host) { y.download(((Operands.Linear) host).y().segment()); }

        @Override public long bytes() { return x.bytes() + w.bytes() + y.bytes(); }

        @Override public void close() { Resources.close(x, w, y); }
    }

    record Prefill(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer o) implements DeviceOperands {
        @Override public void downloadOutputs(Operands host) { o.download(((Operands.Prefill) host).o().segment()); }

        @Override public long bytes() { return q.bytes() + k.bytes() + v.bytes() + o.bytes(); }

        @Override public void close() { Resources.close(q, k, v, o); }
    }

    /** K and V caches, the sequence lengths, and the block table ({@code null} for the contiguous layout). */
    record Cache(DeviceBuffer k, DeviceBuffer v, DeviceBuffer blockTable, DeviceBuffer seqLens) implements AutoCloseable {
        private static Cache upload(Operands.Cache c, Uploads u) {
            return new Cache(u.of(c.k()), u.of(c.v()), c.shape().layout() == KvLayout.PAGED ? u.of(c.blockTable()) : null,
                    u.of(c.shape().seqLens()));
        }

        void download(Operands.Cache host) {
            k.download(host.k().segment());
            v.download(host.v().segment());
        }

        long bytes() { return k.bytes() + v.bytes() + seqLens.bytes() + (blockTable == null ? 0 : blockTable.bytes()); }

        @Override public void close() { Resources.close(k, v, blockTable, seqLens); }
    }

    record Decode(DeviceBuffer q, Cache cache, DeviceBuffer o) implements DeviceOperands {
        @Override public void downloadOutputs(Operands host) { o.download(((Operands.Decode) host).o().segment()); }

        @Override public long bytes() { return q.bytes() + cache.bytes() + o.bytes(); }

        @Override public void close() { Resources.close(q, cache, o); }
    }

    /** The cache is the output: the whole of it comes back, so a stray write anywhere would show. */
    record Append(DeviceBuffer k, DeviceBuffer v, Cache cache) implements DeviceOperands {
        @Override public void downloadOutputs(Operands host) { cache.download(((Operands.Append) host).cache()); }

        @Override public long bytes() { return k.bytes() + v.bytes() + cache.bytes(); }

        @Override public void close() { Resources.close(k, v, cache); }
    }

    record Copy(DeviceBuffer src, DeviceBuffer dst) implements DeviceOperands {
        @Override public void downloadOutputs(Operands host) { dst.download(((Operands.Copy) host).dst().segment()); }

        @Override public long bytes() { return src.bytes() + dst.bytes(); }

        @Override public void close() { Resources.close(src, dst); }
    }

    /** The buffers of one upload so far, freed together when a later allocation fails. */
    final class Uploads {
        private final Driver driver;
        private final List<DeviceBuffer> made = new ArrayList<>();

        private Uploads(Driver driver) { this.driver = driver; }

        private DeviceBuffer of(HostTensor t) { return keep(DeviceBuffer.of(driver, t)); }

        private DeviceBuffer of(int[] values) { return keep(DeviceBuffer.of(driver, values)); }

        private DeviceBuffer keep(DeviceBuffer b) {
            made.add(b);
            return b;
        }

        private void release(RuntimeException cause) {
            RuntimeException failure = Resources.closeAll(made);
            if (failure != null) cause.addSuppressed(failure);
        }
    }
}
