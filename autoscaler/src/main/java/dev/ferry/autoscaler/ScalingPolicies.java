package dev.ferry.autoscaler;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.AutoscalerConfig;
import java.time.Duration;
import java.util.List;

/** Loads a {@link ScalingPolicy} by the name in {@code autoscaler.policy}. */
public final class ScalingPolicies {

    public static final List<String> NAMES = List.of(ReactivePolicy.NAME, RateAwarePolicy.NAME, PredictivePolicy.NAME);

    private ScalingPolicies() {
    }

    public static ScalingPolicy byName(String name, AutoscalerConfig config) {
        return switch (name) {
            case ReactivePolicy.NAME -> new ReactivePolicy();
            case RateAwarePolicy.NAME -> new RateAwarePolicy();
            case PredictivePolicy.NAME -> new PredictivePolicy(Duration.ofMillis(config.startupMs()));
            default -> throw new FerryException("Unknown scaling policy '" + name + "' in "
                    + AutoscalerConfig.POLICY + ": use one of " + NAMES);
        };
    }

    public static ScalingPolicy fromConfig(AutoscalerConfig config) {
        return byName(config.policy(), config);
    }
}
