package dev.tokenmill.energy;

import java.util.ArrayList;
import java.util.List;

/**
 * Why the GPU's clocks were held below their maximum: the bits of NVML's clocks-event (formerly throttle) reason
 * mask, {@code nvmlClocksEventReason*} / {@code nvmlClocksThrottleReason*} in nvml.h.
 */
public enum ClockEventReason {
    GPU_IDLE(0x1L),
    APPLICATIONS_CLOCKS_SETTING(0x2L),
    SW_POWER_CAP(0x4L),
    HW_SLOWDOWN(0x8L),
    SYNC_BOOST(0x10L),
    SW_THERMAL(0x20L),
    HW_THERMAL(0x40L),
    HW_POWER_BRAKE(0x80L),
    DISPLAY_CLOCKS(0x100L);

    private final long bit;

    ClockEventReason(long bit) { this.bit = bit; }

    public long bit() { return bit; }

    /** The name used in result files: gpu_idle, sw_power_cap, ... */
    public String id() { return name().toLowerCase(); }

    /** The names of the reasons set in {@code mask}; bits nvml.h does not define appear as {@code unknown_0x...}. */
    public static List<String> decode(long mask) {
        List<String> names = new ArrayList<>();
        long known = 0;
        for (ClockEventReason r : values()) {
            known |= r.bit;
            if ((mask & r.bit) != 0) names.add(r.id());
        }
        for (long rest = mask & ~known; rest != 0; rest &= rest - 1)
            names.add("unknown_0x" + Long.toHexString(Long.lowestOneBit(rest)));
        return names;
    }
}
