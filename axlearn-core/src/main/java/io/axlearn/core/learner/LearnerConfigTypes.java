package io.axlearn.core.learner;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import java.util.Map;

/** The {@code @type} names of the learner package's config classes. */
public final class LearnerConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.ofEntries(
                Map.entry("core/ConstantSchedule", Schedule.Constant.class),
                Map.entry("core/PolynomialSchedule", Schedule.Polynomial.class),
                Map.entry("core/CosineDecaySchedule", Schedule.CosineDecay.class),
                Map.entry("core/CosineWithLinearWarmup", Schedule.CosineWithLinearWarmup.class),
                Map.entry("core/SegmentWise", Schedule.SegmentWise.class),
                Map.entry("core/ScheduleSegment", Schedule.Segment.class),
                Map.entry("core/Sgd", Sgd.Config.class),
                Map.entry("core/Adam", Adam.Config.class),
                Map.entry("core/AdamW", AdamW.Config.class),
                Map.entry("core/Lion", Lion.Config.class),
                Map.entry("core/GlobalNormClipping", GlobalNormClipping.Config.class),
                Map.entry("core/Learner", Learner.Config.class));
    }
}
