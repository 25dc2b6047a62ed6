package io.axlearn.trainer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    /** Feeds {@code pieces} and returns what was passed on, joined with '|' between calls. */
    private static String feed(StopStrings stops, String... pieces) {
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            out.append(stops.accept(p)).append('|');
        }
        return out.append(stops.finish()).toString();
    }

    @Test
    void withoutStops_passesEverythingOnAtOnce() {
        assertEquals("ab|cd|", feed(new StopStrings(List.of()), "ab", "cd"));
    }

    @Test
    void stopSplitAcrossPieces_isCutAndTheTextBeforeItKept() {
        StopStrings stops = new StopStrings(List.of("END"));
        // "E" and "EN" could start "END", so they wait; "D" completes it.
        assertEquals("ab|c|||", feed(stops, "ab", "cE", "N", "Dxyz"));
        assertTrue(stops.stopped());
    }

    @Test
    void heldBackTextThatDoesNotBecomeAStop_isPassedOnLater() {
        StopStrings stops = new StopStrings(List.of("\nuser:"));
        assertEquals("Yes||\nus-ok|", feed(stops, "Yes\n", "us", "-ok"));
        assertFalse(stops.stopped());
        StopStrings atEnd = new StopStrings(List.of("END"));
        assertEquals("x|EN", feed(atEnd, "xEN"));
    }

    @Test
    void earliestOfSeveralStops_wins() {
        StopStrings stops = new StopStrings(List.of("cd", "b"));
        assertEquals("a|", feed(stops, "abcd"));
        assertEquals("", stops.accept("more"));
    }
}
