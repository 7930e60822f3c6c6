package dev.tokenmill.cuda;

/** A launch's grid or block extent, checked against the limits CUDA puts on every device since sm_30. */
record Dim3(int x, int y, int z) {
    Dim3 {
        if (x < 1 || y < 1 || z < 1 || y > 65535 || z > 65535)
            throw new IllegalArgumentException("launch extent (" + x + ", " + y + ", " + z
                    + ") must be >= 1 in every dimension and <= 65535 in y and z");
    }

    static Dim3 of(int x) { return new Dim3(x, 1, 1); }

    static Dim3 of(int x, int y) { return new Dim3(x, y, 1); }

    static Dim3 of(int x, int y, int z) { return new Dim3(x, y, z); }

    @Override public String toString() { return "(" + x + "," + y + "," + z + ")"; }
}
