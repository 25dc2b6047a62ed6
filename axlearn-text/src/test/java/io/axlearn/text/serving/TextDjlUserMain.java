package io.axlearn.text.serving;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a DJL user writes to classify text with an exported model: DJL's API and our translator
 * factory ({@link TextClassifierFactory}, named here because DJL picks its image translator for
 * {@code String} inputs otherwise). Run by {@link TextDjlExportTest} in a child JVM with DJL, the
 * engine and axlearn-core/axlearn-text only.
 *
 * <p>Usage: {@code TextDjlUserMain <model dir> <texts file> <output file>}: the output holds {@code
 * trainer-visible <true|false>}, then per text one line of {@code <class>=<probability>} pairs.
 */
public final class TextDjlUserMain {
    private TextDjlUserMain() {}

    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        boolean trainerVisible;
        try {
            Class.forName("io.axlearn.trainer.Trainer");
            trainerVisible = true;
        } catch (ClassNotFoundException e) {
            trainerVisible = false;
        }
        out.add("trainer-visible " + trainerVisible);
        Criteria<String, Classifications> criteria =
                Criteria.builder()
                        .setTypes(String.class, Classifications.class)
                        .optModelPath(Path.of(args[0]))
                        .optEngine("PyTorch")
                        .optTranslatorFactory(new TextClassifierFactory())
                        .build();
        try (ZooModel<String, Classifications> model = criteria.loadModel();
                Predictor<String, Classifications> predictor = model.newPredictor()) {
            for (String text : Files.readAllLines(Path.of(args[1]))) {
                StringBuilder line = new StringBuilder();
                for (Classifications.Classification c : predictor.predict(text).items()) {
                    line.append(line.length() == 0 ? "" : " ")
                            .append(c.getClassName())
                            .append('=')
                            .append(c.getProbability());
                }
                out.add(line.toString());
            }
        }
        Files.write(Path.of(args[2]), out);
    }
}
