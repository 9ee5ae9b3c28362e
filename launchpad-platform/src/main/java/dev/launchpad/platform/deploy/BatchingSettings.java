package dev.launchpad.platform.deploy;

import dev.launchpad.core.error.LaunchpadException;

/**
 * A deployment's dynamic-batching settings, as Triton names them: requests are merged into one model
 * call of at most {@code maxBatchSize} rows, waiting at most {@code maxQueueDelayMicros} for more to
 * arrive; at most {@code maxQueueSize} requests wait, beyond which requests are refused as overload.
 */
public record BatchingSettings(int maxBatchSize, long maxQueueDelayMicros, int maxQueueSize) {
    /**
     * Defaults: batches of up to 64 rows, no extra waiting (as Triton's default: requests that queue up
     * while the model is busy are merged into its next call), 1024 queued requests.
     */
    public static final BatchingSettings DEFAULTS = new BatchingSettings(64, 0, 1024);
    /** Upper bounds accepted from users. */
    public static final int MAX_BATCH_SIZE = 65_536;
    public static final long MAX_QUEUE_DELAY_MICROS = 10_000_000;
    public static final int MAX_QUEUE_SIZE = 1_000_000;

    public BatchingSettings {
        if (maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
            throw LaunchpadException.invalid("max_batch_size must be between 1 and " + MAX_BATCH_SIZE
                    + ", got " + maxBatchSize + ".");
        }
        if (maxQueueDelayMicros < 0 || maxQueueDelayMicros > MAX_QUEUE_DELAY_MICROS) {
            throw LaunchpadException.invalid("max_queue_delay_microseconds must be between 0 and "
                    + MAX_QUEUE_DELAY_MICROS + ", got " + maxQueueDelayMicros + ".");
        }
        if (maxQueueSize < 1 || maxQueueSize > MAX_QUEUE_SIZE) {
            throw LaunchpadException.invalid("max_queue_size must be between 1 and " + MAX_QUEUE_SIZE
                    + ", got " + maxQueueSize + ".");
        }
    }
}
