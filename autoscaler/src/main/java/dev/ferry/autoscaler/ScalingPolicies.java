package dev.ferry.autoscaler;

import dev.ferry.core.FerryException;
import dev.ferry.core.Plugins;
import dev.ferry.core.config.AutoscalerConfig;
import java.time.Duration;
import java.util.List;

/**
 * Loads a {@link ScalingPolicy} by the name in {@code autoscaler.policy}: a built-in name ({@link #NAMES}), or the
 * fully qualified name of a class on the autoscaler's class path that implements {@link ScalingPolicy} and has a
 * public no-argument constructor.
 */
public final class ScalingPolicies {

    public static final List<String> NAMES = List.of(ReactivePolicy.NAME, RateAwarePolicy.NAME, PredictivePolicy.NAME);

    private ScalingPolicies() {
    }

    public static ScalingPolicy byName(String name, AutoscalerConfig config) {
        return switch (name) {
            case ReactivePolicy.NAME -> new ReactivePolicy();
            case RateAwarePolicy.NAME -> new RateAwarePolicy();
            case PredictivePolicy.NAME -> new PredictivePolicy(Duration.ofMillis(config.startupMs()));
            default -> Plugins.instantiate(name, ScalingPolicy.class).orElseThrow(() -> new FerryException(
                    "Unknown scaling policy '" + name + "' in " + AutoscalerConfig.POLICY + ": use one of " + NAMES
                            + ", or the class name of a ScalingPolicy on the class path"));
        };
    }

    public static ScalingPolicy fromConfig(AutoscalerConfig config) {
        return byName(config.policy(), config);
    }
}
