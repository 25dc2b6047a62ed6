package io.axlearn.trainer.serve;

import java.util.List;

/**
 * Cuts streamed text before the first of some stop strings: {@link #accept} returns the part of the
 * text so far that can be passed on, holding back an ending that could still grow into a stop
 * string, and after a stop string has appeared returns the text before it and reports {@link
 * #stopped}. Text passed on is never taken back, so pieces streamed to a client concatenate to the
 * full answer.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped = false;

    /** Cuts at any of {@code stops} (non-empty strings); with none, passes everything on. */
    StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Adds a piece of generated text and returns what can be passed on now (maybe empty). */
    String accept(String piece) {
        if (stopped) {
            return "";
        }
        pending.append(piece);
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            return take(cut);
        }
        return take(pending.length() - heldBack());
    }

    /** Whether a stop string has appeared (nothing more will be passed on). */
    boolean stopped() {
        return stopped;
    }

    /** At the end of generation: what is left (held back in vain); empty once stopped. */
    String finish() {
        return stopped ? "" : take(pending.length());
    }

    /** The length of the longest ending of the pending text that starts some stop string. */
    private int heldBack() {
        int longest = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, pending.length()); n > longest; n--) {
                if (pending.indexOf(stop.substring(0, n), pending.length() - n) >= 0) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    private String take(int n) {
        String out = pending.substring(0, n);
        pending.delete(0, stopped ? pending.length() : n);
        return out;
    }
}
