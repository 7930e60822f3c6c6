package dev.tokenmill.jmh;

/**
 * Ends a trial that cannot or must not be timed here (backend unavailable, operands too big for the device,
 * kernel missing, verification failed). Carries no stack trace: JMH prints it as one line, the reason.
 */
public final class SkippedTrial extends RuntimeException {
    SkippedTrial(String reason) { super(reason, null, false, false); }
}
