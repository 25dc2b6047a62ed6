package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.input.SequenceClassificationSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bag-of-words baseline of {@code classify-tiny}: trained and scored on exactly the splits and
 * tokens of the experiment ({@link BertExperiments#spamAssassin}), so its held-out accuracy and F1
 * compare directly with the BERT classifier's (docs/text.md).
 */
class BagOfWordsBaselineTest {
    @TempDir Path dir;

    @Test
    void spamAssassin_heldOutAccuracyAndF1_beatTheMajorityClass() {
        SequenceClassificationSource train = BertExperiments.spamAssassin(128);
        ExampleSource trainSplit = train.instantiate();
        ExampleSource heldOut =
                train.copy().split(SequenceClassificationSource.Split.HELD_OUT).instantiate();
        BagOfWordsBaseline model =
                BagOfWordsBaseline.train(trainSplit, 30_522, 1, 10, 0.05, 1e-4, 0);
        BagOfWordsBaseline.Scores s = model.score(heldOut, 1);
        System.out.printf(
                Locale.ROOT,
                "bag-of-words logistic regression on %d held-out emails (%d train): accuracy %.4f,"
                        + " precision %.4f, recall %.4f, F1 %.4f (majority class %.4f)%n",
                heldOut.size(),
                trainSplit.size(),
                s.accuracy(),
                s.precision(),
                s.recall(),
                s.f1(),
                s.majorityAccuracy());
        assertEquals(heldOut.size(), s.tp() + s.fp() + s.fn() + s.tn());
        assertTrue(s.accuracy() > s.majorityAccuracy() + 0.1, s.toString());
        assertTrue(s.f1() > 0.5, s.toString());
    }

    @Test
    void separableToyData_isLearnedExactly() throws IOException {
        StringBuilder b = new StringBuilder();
        String[] spam = {
            "win money now", "free money offer", "cheap pills now", "win a free prize"
        };
        String[] ham = {
            "meeting at noon", "see the report", "lunch with the team", "notes from the meeting"
        };
        for (int i = 0; i < 40; i++) {
            b.append("{\"text\": \"")
                    .append(i % 2 == 0 ? spam[i / 2 % 4] : ham[i / 2 % 4])
                    .append("\", \"label\": \"")
                    .append(i % 2 == 0 ? "spam" : "ham")
                    .append("\"}\n");
        }
        Path file = dir.resolve("toy.jsonl");
        Files.writeString(file, b.toString());
        SequenceClassificationSource src =
                new SequenceClassificationSource().path(file.toString()).seqLen(16).heldOutEvery(3);
        BagOfWordsBaseline model =
                BagOfWordsBaseline.train(src.instantiate(), 30_522, 1, 20, 0.1, 0, 0);
        BagOfWordsBaseline.Scores s =
                model.score(
                        src.copy().split(SequenceClassificationSource.Split.HELD_OUT).instantiate(),
                        1);
        assertEquals(1.0, s.accuracy(), s.toString());
        assertEquals(1.0, s.f1(), s.toString());
    }
}
