package dev.launchpad.inference.batching;

/**
 * A snapshot of one batcher's counters and gauges, for metrics: {@code queueDepth} and {@code queuedRows}
 * are gauges (waiting now); the rest are counters since the batcher started. {@code rejected} counts
 * requests refused with {@link OverloadedException}; {@code failed} counts accepted requests that ended
 * in an error (the model's, or a shutdown's). Batch sizes, for a histogram, go to the batcher's listener.
 */
public record BatcherStats(int queueDepth, long queuedRows, long requests, long rows, long batches, long rejected,
                           long failed) {
}
