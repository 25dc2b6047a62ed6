package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void format_showsStepLossThroughputAndEta() {
        assertEquals(
                "step 250/1000 (25%) loss 1.2346 | 5.00 steps/s, 160 examples/s | ETA 0:02:30",
                Progress.format(250, 1000, 1.23456, 5.0, 160));
        assertTrue(Progress.format(1, 10, 2.0, 0, 0).endsWith("ETA ?"));
    }

    @Test
    void plainOutput_printsEveryNStepsAndTheLast_terminalRedrawsInPlace() {
        StringWriter plain = new StringWriter();
        Progress p = new Progress(new PrintWriter(plain), false, 0, 25, 10);
        for (long step = 1; step <= 25; step++) {
            p.update(step, 1.0, 4);
        }
        assertEquals(3, plain.toString().lines().count(), plain.toString());
        assertTrue(plain.toString().lines().allMatch(l -> l.startsWith("step ")));
        StringWriter terminal = new StringWriter();
        Progress t = new Progress(new PrintWriter(terminal), true, 0, 3, 10);
        for (long step = 1; step <= 3; step++) {
            t.update(step, 1.0, 4);
        }
        assertEquals(3, terminal.toString().chars().filter(c -> c == '\r').count());
        assertTrue(terminal.toString().endsWith("\n"), "the last update ends the line");
    }
}
