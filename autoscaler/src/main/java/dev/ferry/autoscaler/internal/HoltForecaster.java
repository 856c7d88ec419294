package dev.ferry.autoscaler.internal;

/**
 * Holt's linear trend method with a damped trend (Gardner and McKenzie, 1985), for the arrival rate.
 *
 * <p>Damping matters here: an undamped trend extrapolates the first seconds of a burst without limit and
 * over-provisions; with damping {@code phi} the forecast adds at most {@code phi / (1 - phi)} steps of trend.
 * Observations may come at uneven intervals, so the trend is kept per second and the horizon is in seconds.
 */
public final class HoltForecaster {

    private final double alpha;
    private final double beta;
    private final double phi;
    private double level;
    private double trendPerSecond;
    private double lastSeconds;
    private boolean seeded;

    public HoltForecaster(double alpha, double beta, double phi) {
        this.alpha = alpha;
        this.beta = beta;
        this.phi = phi;
    }

    /** The default smoothing: reacts within a few samples, damped to about nine seconds of trend. */
    public static HoltForecaster standard() {
        return new HoltForecaster(0.5, 0.1, 0.9);
    }

    public void observe(double atSeconds, double value) {
        if (!seeded) {
            level = value;
            trendPerSecond = 0;
            lastSeconds = atSeconds;
            seeded = true;
            return;
        }
        double dt = atSeconds - lastSeconds;
        if (dt <= 0) {
            return; // a repeated or out-of-order sample carries no new information about the trend
        }
        double previousLevel = level;
        level = alpha * value + (1 - alpha) * (previousLevel + phi * trendPerSecond * dt);
        trendPerSecond = beta * (level - previousLevel) / dt + (1 - beta) * phi * trendPerSecond;
        lastSeconds = atSeconds;
    }

    /** The forecast {@code aheadSeconds} from the last observation, never negative; 0 before any observation. */
    public double forecast(double aheadSeconds) {
        if (!seeded) {
            return 0;
        }
        double dampedSteps = 0;
        double factor = 1;
        for (int i = 1; i <= Math.ceil(aheadSeconds); i++) {
            factor *= phi;
            dampedSteps += factor;
        }
        return Math.max(0, level + trendPerSecond * dampedSteps);
    }

    public double level() {
        return level;
    }
}
