package dev.tokenmill.reference;

import dev.tokenmill.op.DType;

/**
 * Accepted error per output dtype. Inputs are already rounded to the dtype, so what remains is fp32
 * accumulation order, the output's rounding (bf16 keeps 8 bits, f16 11), and attention's probabilities
 * rounded to the input dtype before the PV product, as tensor-core kernels do.
 */
public final class Tolerance {
    private Tolerance() {}

    public static double of(DType dtype) {
        return switch (dtype) {
            case F32 -> 1e-3;
            case F16 -> 1e-2;
            case BF16 -> 2e-2;
        };
    }
}
