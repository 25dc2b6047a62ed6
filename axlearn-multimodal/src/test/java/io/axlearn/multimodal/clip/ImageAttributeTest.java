package io.axlearn.multimodal.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.multimodal.clip.ImageAttribute.Measure;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageAttributeTest {
    private static final int SIZE = 28;

    /**
     * A 28x28 image with {@code value} in rows {@code [top, top + h)}, columns {@code [left, left +
     * w)}.
     */
    static float[] rectangle(int top, int left, int h, int w, float value) {
        float[] image = new float[SIZE * SIZE];
        for (int y = top; y < top + h; y++) {
            for (int x = left; x < left + w; x++) {
                image[y * SIZE + x] = value;
            }
        }
        return image;
    }

    private static double measure(Measure m, float[] image) {
        return m.of(image, SIZE, SIZE);
    }

    @Test
    void measuresOfARectangle_areItsGeometry() {
        // 10 rows by 5 columns of 0.5, centred on column 4, plus faint noise below the ink level.
        float[] image = rectangle(4, 2, 10, 5, 0.5f);
        image[27 * SIZE + 27] = 0.1f;
        assertEquals(50.0 / 784, measure(Measure.BOX_AREA, image), 1e-12);
        assertEquals(0.5, measure(Measure.ASPECT, image), 1e-12);
        assertEquals(0.5, measure(Measure.BRIGHTNESS, image), 1e-6);
        // 50 ink pixels, 24 of them inside (8 x 3): 2 * 50 / 26.
        assertEquals(
                100.0 / 26, measure(Measure.STROKE_WIDTH, rectangle(4, 2, 10, 5, 0.5f)), 1e-12);
        assertEquals(
                (4 - 13.5) / 28, measure(Measure.CENTRE_X, rectangle(4, 2, 10, 5, 0.5f)), 1e-12);
        assertEquals(0, measure(Measure.SLANT, rectangle(4, 2, 10, 5, 0.5f)), 1e-12);
    }

    @Test
    void slant_isTheShiftPerRowGoingUp() {
        float[] forward = new float[SIZE * SIZE]; // "/": one column right per row up
        float[] backward = new float[SIZE * SIZE]; // "\": two rows per column left going up
        for (int y = 5; y <= 15; y++) {
            forward[y * SIZE + (20 - y)] = 1;
        }
        for (int y = 4; y <= 24; y += 2) {
            backward[y * SIZE + 6 + y / 2] = 1;
            backward[(y + 1) * SIZE + 6 + y / 2] = 1;
        }
        assertEquals(1, measure(Measure.SLANT, forward), 1e-12);
        assertTrue(measure(Measure.SLANT, backward) < -0.4, "leans left");
    }

    @Test
    void anEmptyImage_measuresZero() {
        float[] empty = new float[SIZE * SIZE];
        for (Measure m : Measure.values()) {
            assertEquals(0, measure(m, empty), m.name());
        }
    }

    @Test
    void rule_givesTheLowOrHighWord_onlyForItsLabels() {
        ImageAttribute.Rule size =
                new ImageAttribute()
                        .measure(Measure.BOX_AREA)
                        .below(0.1, "small")
                        .above(0.5, "large")
                        .labels(List.of(3))
                        .instantiate();
        float[] small = rectangle(0, 0, 5, 5, 1);
        float[] medium = rectangle(0, 0, 14, 14, 1);
        float[] large = rectangle(0, 0, 25, 25, 1);
        assertEquals(Optional.of("small"), size.word(small, SIZE, SIZE, 3));
        assertEquals(Optional.empty(), size.word(medium, SIZE, SIZE, 3));
        assertEquals(Optional.of("large"), size.word(large, SIZE, SIZE, 3));
        assertEquals(Optional.empty(), size.word(large, SIZE, SIZE, 4), "not its label");
    }

    @Test
    void thresholdsOutOfOrder_isAConfigErrorNamingTheField() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new ImageAttribute()
                                        .measure(Measure.ASPECT)
                                        .below(2, "tall")
                                        .above(1, "wide")
                                        .instantiate());
        assertTrue(e.getMessage().contains("above"), e.getMessage());
    }
}
