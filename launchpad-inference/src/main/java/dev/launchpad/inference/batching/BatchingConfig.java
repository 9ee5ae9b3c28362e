package dev.launchpad.inference.batching;

import java.time.Duration;

/**
 * Dynamic batching for one model, as Triton configures it: merge concurrent requests into calls of
 * at most {@code maxBatchSize} rows, waiting at most {@code maxQueueDelay} after the first request for
 * others to join; at most {@code maxQueueSize} requests may wait, and beyond that requests are refused.
 */
public record BatchingConfig(int maxBatchSize, Duration maxQueueDelay, int maxQueueSize) {
    public BatchingConfig {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be ≥ 1, got " + maxBatchSize);
        }
        if (maxQueueDelay == null || maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("maxQueueDelay must be ≥ 0");
        }
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("maxQueueSize must be ≥ 1, got " + maxQueueSize);
        }
    }
}
