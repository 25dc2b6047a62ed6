package io.axlearn.text.lm;

import io.axlearn.text.tokenizers.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns generated ids into text as they come: after each id, the new text at the end of the decoded
 * sequence is passed on, except while it ends in U+FFFD (a character whose bytes have not all
 * arrived yet); {@link #finish} passes on whatever is left.
 */
final class StreamingDecoder {
    private static final char INCOMPLETE = '\uFFFD';

    private final Tokenizer tokenizer;
    private final Consumer<String> onText;
    private final List<Integer> ids = new ArrayList<>();
    private int emitted = 0;

    StreamingDecoder(Tokenizer tokenizer, Consumer<String> onText) {
        this.tokenizer = tokenizer;
        this.onText = onText;
    }

    void accept(int id) {
        ids.add(id);
        String text = decoded();
        if (!text.isEmpty() && text.charAt(text.length() - 1) != INCOMPLETE) {
            emit(text);
        }
    }

    /** Passes on the rest and returns the whole decoded text. */
    String finish() {
        String text = decoded();
        emit(text);
        return text;
    }

    private void emit(String text) {
        if (text.length() > emitted) {
            onText.accept(text.substring(emitted));
            emitted = text.length();
        }
    }

    private String decoded() {
        return tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
    }
}
