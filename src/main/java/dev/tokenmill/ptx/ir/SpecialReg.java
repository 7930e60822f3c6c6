package dev.tokenmill.ptx.ir;

/**
 * The special registers a kernel may read; each is filled into a register slot when a warp starts.
 * {@code %warpid} reads the warp's index in its CTA (the ISA allows any SM-local warp number).
 */
public enum SpecialReg {
    TID_X("%tid.x"), TID_Y("%tid.y"), TID_Z("%tid.z"),
    NTID_X("%ntid.x"), NTID_Y("%ntid.y"), NTID_Z("%ntid.z"),
    CTAID_X("%ctaid.x"), CTAID_Y("%ctaid.y"), CTAID_Z("%ctaid.z"),
    NCTAID_X("%nctaid.x"), NCTAID_Y("%nctaid.y"), NCTAID_Z("%nctaid.z"),
    LANEID("%laneid"), WARPID("%warpid");

    public final String ptxName;

    SpecialReg(String ptxName) {
        this.ptxName = ptxName;
    }

    public static SpecialReg of(String name) {
        for (SpecialReg s : values()) if (s.ptxName.equals(name)) return s;
        return null;
    }
}
