package dev.tokenmill.measure;

/**
 * How long a run has left: each trial's planned seconds, scaled by how long the finished trials took against their
 * plan. The plan can only be rough before anything ran (how long a fork takes to start and prepare its operands
 * depends on the machine); the ratio of real to planned time corrects it as trials finish, so the estimate is
 * revised with every trial and is exact when trials take their planned time times one factor.
 */
final class Eta {
    private final double[] planned;
    private int finished;
    private double plannedDone, actualDone;

    /** A run of {@code planned.length} trials, in the order they will finish. */
    Eta(double[] planned) { this.planned = planned.clone(); }

    /** The number of trials planned. */
    int trials() { return planned.length; }

    /** Trials finished so far. */
    int finished() { return finished; }

    /** Records that the next trial took {@code seconds}. */
    void finish(double seconds) {
        if (finished < planned.length) plannedDone += planned[finished];
        actualDone += seconds;
        finished++;
    }

    /** The seconds the unfinished trials will take, at the pace of the finished ones. */
    double remainingSeconds() {
        double left = 0;
        for (int i = finished; i < planned.length; i++) left += planned[i];
        return left * (plannedDone > 0 ? actualDone / plannedDone : 1);
    }

    /** {@code 1:05}, {@code 12:00}, {@code 1:02:03}. */
    static String clock(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(java.util.Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
