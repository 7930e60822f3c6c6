package dev.tokenmill.op;

import java.util.LinkedHashMap;
import java.util.Map;

/** The bandwidth probe: copy {@code bytes} from one buffer to another (read once, written once). */
public record CopySpec(long bytes) implements OpSpec {
    public CopySpec {
        if (bytes < 16 || bytes % 16 != 0 || bytes > (1L << 36))
            throw new IllegalArgumentException("bytes must be a multiple of 16 in 16..2^36, got " + bytes);
    }

    @Override public String op() { return "copy"; }

    /** Copies move raw bytes; reported as f32 elements so the tensor machinery applies unchanged. */
    @Override public DType dtype() { return DType.F32; }

    public long elements() { return bytes / DType.F32.bytes(); }

    @Override public double flops() { return 0; }

    @Override public long minBytes() { return 2 * bytes; }

    @Override public Map<String, Object> shape() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("bytes", bytes);
        return s;
    }
}
