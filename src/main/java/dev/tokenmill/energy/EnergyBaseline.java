package dev.tokenmill.energy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a forked benchmark VM needs to read a GPU's energy: which GPU (its PCI bus id, as CUDA reports it) and the
 * idle baseline the run measured before its first suite. {@code ./tokenmill run} hands it to the forks as
 * {@code -Dtokenmill.energy=pci_bus_id=0000:65:00.0,idle_w=61.2}; plain JMH users may pass the same through
 * {@code -jvmArgsAppend}. Without it a fork reads no energy.
 *
 * @param pciBusId  null to take NVML's first device
 * @param idleWatts null when the run had no idle figure
 */
public record EnergyBaseline(String pciBusId, Double idleWatts) {
    public static final String PROPERTY = "tokenmill.energy";
    private static final Pattern PAIRS = Pattern.compile(",");

    public EnergyBaseline {
        if (idleWatts != null && !(idleWatts >= 0 && idleWatts < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException("idle watts must be >= 0 or absent, got " + idleWatts);
    }

    public String toProperty() {
        StringBuilder b = new StringBuilder();
        if (pciBusId != null) b.append("pci_bus_id=").append(pciBusId);
        if (idleWatts != null) b.append(b.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "idle_w=%.4f", idleWatts));
        return b.isEmpty() ? "nvml_index=0" : b.toString();
    }

    /** Reads {@link #toProperty()}'s form; null or blank gives null (read no energy). */
    public static EnergyBaseline fromProperty(String text) {
        if (text == null || text.isBlank()) return null;
        String bus = null;
        Double idle = null;
        for (String pair : PAIRS.split(text.strip())) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException(PROPERTY + " must be key=value pairs, got '" + text + "'");
            switch (kv[0]) {
                case "pci_bus_id" -> bus = kv[1];
                case "idle_w" -> idle = parseWatts(kv[1]);
                case "nvml_index" -> { }   // the default device: no bus id given
                default -> throw new IllegalArgumentException(PROPERTY + " keys are pci_bus_id and idle_w, got '" + kv[0] + "'");
            }
        }
        return new EnergyBaseline(bus, idle);
    }

    private static double parseWatts(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + ": idle_w must be a number of watts, got '" + text + "'");
        }
    }
}
