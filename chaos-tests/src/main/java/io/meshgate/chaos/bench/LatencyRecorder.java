package io.meshgate.chaos.bench;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Latencies in nanoseconds, recorded from any thread (wait-free), summarised as percentiles in milliseconds.
 * Three significant digits; values above a minute are counted as a minute.
 */
final class LatencyRecorder {
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Histogram histogram = new ConcurrentHistogram(MAX_NANOS, 3);

    void record(long nanos) {
        histogram.recordValue(Math.max(0, Math.min(nanos, MAX_NANOS)));
    }

    Summary summary() {
        Histogram h = histogram.copy();
        return new Summary(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                h.getTotalCount() == 0 ? 0 : Math.round(h.getMean() / 1000.0) / 1000.0);
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    /** Percentiles in milliseconds (microsecond resolution); all zero when nothing was recorded. */
    record Summary(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double meanMs) {

        /**
         * Every figure minus a constant (a percentile of {@code x - c} is the percentile of {@code x} minus
         * {@code c}), e.g. to take an emulated network delay out; an empty summary stays all zero.
         */
        Summary minus(double ms) {
            if (count == 0) {
                return this;
            }
            return new Summary(count, us(p50Ms - ms), us(p90Ms - ms), us(p99Ms - ms), us(p999Ms - ms),
                    us(maxMs - ms), us(meanMs - ms));
        }

        private static double us(double ms) {
            return Math.round(ms * 1000) / 1000.0;
        }
    }
}
