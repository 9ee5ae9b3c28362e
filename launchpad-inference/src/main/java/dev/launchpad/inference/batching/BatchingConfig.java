package dev.launchpad.inference.batching;

import java.time.Duration;

/**
 * Dynamic batching for one model, as Triton configures it: merge concurrent requests into calls of
 * at most {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay} after the oldest waiting request
 * arrived for others to join (zero: merge only what queued up while the model was busy); at most
 * {@code maxQueueSize} requests may wait, and beyond that requests are refused with
 * {@link OverloadedException}. Invalid values are refused with IllegalArgumentException.
 */
public record BatchingConfig(int maxBatchSize, Duration maxQueueDelay, int maxQueueSize) {
    /** Upper bound of {@code maxQueueSize}: the queue's slots are allocated up front. */
    public static final int MAX_QUEUE_SIZE = 1_000_000;
    /** Upper bound of {@code maxQueueDelay}. */
    public static final Duration MAX_QUEUE_DELAY = Duration.ofMinutes(1);
    /** Batches of up to 64 rows, no extra waiting, 1024 waiting requests. */
    public static final BatchingConfig DEFAULTS = new BatchingConfig(64, Duration.ZERO, 1024);

    public BatchingConfig {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be ≥ 1, got " + maxBatchSize);
        }
        if (maxQueueDelay == null || maxQueueDelay.isNegative() || maxQueueDelay.compareTo(MAX_QUEUE_DELAY) > 0) {
            throw new IllegalArgumentException("maxQueueDelay must be between 0 and " + MAX_QUEUE_DELAY + ", got "
                    + maxQueueDelay);
        }
        if (maxQueueSize < 1 || maxQueueSize > MAX_QUEUE_SIZE) {
            throw new IllegalArgumentException("maxQueueSize must be between 1 and " + MAX_QUEUE_SIZE + ", got "
                    + maxQueueSize);
        }
    }

    /** Triton's spelling: {@code max_batch_size}, {@code max_queue_delay_microseconds}, the queue's size. */
    public static BatchingConfig ofMicros(int maxBatchSize, long maxQueueDelayMicros, int maxQueueSize) {
        if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > MAX_QUEUE_DELAY.toNanos() / 1000) {
            throw new IllegalArgumentException("maxQueueDelayMicros must be between 0 and "
                    + MAX_QUEUE_DELAY.toNanos() / 1000 + ", got " + maxQueueDelayMicros);
        }
        return new BatchingConfig(maxBatchSize, Duration.ofNanos(maxQueueDelayMicros * 1000), maxQueueSize);
    }
}
