package io.axlearn.core.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.MissingRequiredException;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final double EXACT = 1e-15;

    @Test
    void constant_isTheSameAtEveryStep() {
        Schedule s = Schedule.constant(3e-4).instantiate();
        assertEquals(3e-4, s.valueAt(1));
        assertEquals(3e-4, s.valueAt(1_000_000));
    }

    @Test
    void polynomial_rampsFromStepZeroAndHoldsItsEnd() {
        Schedule lin = Schedule.linear(0, 2, 8).instantiate();
        assertEquals(0.0, lin.valueAt(0));
        assertEquals(0.25, lin.valueAt(1));
        assertEquals(1.0, lin.valueAt(4));
        assertEquals(2.0, lin.valueAt(8));
        assertEquals(2.0, lin.valueAt(100));
        Schedule quad =
                new Schedule.Polynomial().begin(1).end(0).power(2).numSteps(4).instantiate();
        assertEquals(1 - 0.0625, quad.valueAt(1));
        assertEquals(0.75, quad.valueAt(2));
        assertEquals(0.0, quad.valueAt(4));
        assertEquals(0.0, quad.valueAt(5));
    }

    @Test
    void cosineWithLinearWarmup_boundaries() {
        double peak = 0.1;
        Schedule s =
                Schedule.cosineWithLinearWarmup(peak, 10, 110)
                        .alpha(0.1)
                        .beginValue(0.002)
                        .instantiate();
        // Warmup: beginValue + (peak - beginValue) * step / warmupSteps.
        assertEquals(0.002 + 0.098 / 10, s.valueAt(1), EXACT);
        assertEquals(peak, s.valueAt(10), EXACT);
        // The cosine's step 1 is global step 11; half way (local 50 of 100) is (1 + alpha) / 2.
        double first = peak * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 100)) + 0.1);
        assertEquals(first, s.valueAt(11), EXACT);
        assertEquals(peak * 0.55, s.valueAt(60), EXACT);
        // alpha * peak at maxStep and after.
        assertEquals(0.1 * peak, s.valueAt(110), EXACT);
        assertEquals(0.1 * peak, s.valueAt(111), EXACT);
        assertEquals(0.1 * peak, s.valueAt(1_000_000), EXACT);
    }

    @Test
    void cosineWithoutWarmup_startsDecayingAtStepOne() {
        Schedule s = Schedule.cosineWithLinearWarmup(1.0, 0, 4).instantiate();
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 4)), s.valueAt(1), EXACT);
        assertEquals(0.5, s.valueAt(2), EXACT);
        assertEquals(0.0, s.valueAt(4), EXACT);
        assertEquals(0.0, s.valueAt(5), EXACT);
    }

    @Test
    void segmentWise_rebasesStepsPerSegment() {
        Schedule s =
                new Schedule.SegmentWise()
                        .add(3, Schedule.constant(5))
                        .add(4, Schedule.linear(0, 1, 4))
                        .instantiate();
        assertEquals(5.0, s.valueAt(0));
        assertEquals(5.0, s.valueAt(1));
        assertEquals(5.0, s.valueAt(3));
        assertEquals(0.25, s.valueAt(4)); // local step 1 of the second segment
        assertEquals(1.0, s.valueAt(7)); // its last step
        assertEquals(1.0, s.valueAt(8)); // past the end: the last segment continues
    }

    @Test
    void jsonRoundTripAndDottedOverride() {
        Schedule.SegmentWise cfg =
                new Schedule.SegmentWise()
                        .add(3, Schedule.constant(5))
                        .add(4, Schedule.linear(0, 1, 4));
        String json = ConfigJson.toJson(cfg);
        Schedule.SegmentWise back = ConfigJson.fromJson(json, Schedule.SegmentWise.class);
        assertEquals(cfg, back);
        back.set("segments[1].schedule.end", 2.0);
        assertEquals(2.0, back.instantiate().valueAt(7));
        assertEquals(
                "core/CosineWithLinearWarmup", new Schedule.CosineWithLinearWarmup().typeName());
    }

    @Test
    void validation_namesThePath() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Schedule.cosineWithLinearWarmup(0.1, 10, 10).instantiateAt("lr"));
        assertEquals(
                "lr.maxStep must be greater than warmupSteps (10), got 10"
                        + " (Schedule.CosineWithLinearWarmup)",
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                new Schedule.SegmentWise()
                                        .add(0, Schedule.constant(1))
                                        .instantiateAt("lr"));
        assertEquals(
                "lr.segments[0].numSteps must be positive, got 0 (Schedule.SegmentWise)",
                e.getMessage());
        MissingRequiredException missing =
                assertThrows(
                        MissingRequiredException.class,
                        () -> new Schedule.CosineDecay().numSteps(3).instantiateAt("lr"));
        assertEquals(true, missing.getMessage().contains("lr.initValue"), missing.getMessage());
    }
}
