package dev.tokenmill.backend;

/** Whether a backend works here; when not, one sentence saying why. */
public record Availability(boolean available, String reason) {
    public static Availability yes() { return new Availability(true, ""); }

    public static Availability no(String reason) { return new Availability(false, reason); }
}
