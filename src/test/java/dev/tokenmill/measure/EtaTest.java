package dev.tokenmill.measure;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EtaTest {
    @Test
    void theEstimateFollowsThePaceOfTheFinishedTrials() {
        // planned 10 s each, but this machine takes 13 s: after one trial the estimate says so
        Eta eta = new Eta(new double[]{10, 10, 10, 10});
        assertEquals(40, eta.remainingSeconds(), 1e-9, "before anything ran: the plan");
        eta.finish(13);
        assertEquals(39, eta.remainingSeconds(), 1e-9);
        eta.finish(13);
        eta.finish(13);
        eta.finish(13);
        assertEquals(0, eta.remainingSeconds());
        assertEquals(4, eta.finished());
    }

    @Test
    void anEtaForAPlanOfKnownTrialTimesIsRightWithinTenPercent() {
        // 40 trials of known, uneven lengths (2-20 s); the machine runs them 1.4x slower than planned, with +-15% jitter
        Random random = new Random(7);
        double[] planned = new double[40], actual = new double[40];
        for (int i = 0; i < planned.length; i++) {
            planned[i] = 2 + 18 * random.nextDouble();
            actual[i] = planned[i] * 1.4 * (1 + 0.15 * (2 * random.nextDouble() - 1));
        }
        Eta eta = new Eta(planned);
        for (int done = 0; done < planned.length; done++) {
            double truth = 0;
            for (int i = done; i < planned.length; i++) truth += actual[i];
            if (done >= 3) {   // revised by a few finished trials
                double error = Math.abs(eta.remainingSeconds() - truth) / truth;
                assertTrue(error < 0.10 || truth < 30, "after " + done + " trials: " + eta.remainingSeconds() + " s vs " + truth + " s");
            }
            eta.finish(actual[done]);
        }
    }

    @Test
    void clocksReadAsMinutesAndHours() {
        assertEquals("0:00", Eta.clock(0.2));
        assertEquals("1:05", Eta.clock(65));
        assertEquals("1:02:03", Eta.clock(3723));
    }
}
