package dev.launchpad.inference.batching;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;

import java.time.Duration;

/**
 * A request refused because the model's batching queue is full: explicit backpressure instead of an
 * unbounded queue. REQUEST_LIMIT_EXCEEDED, which an HTTP server answers with 429 (or 503) and a
 * {@code Retry-After} of {@link #retryAfter()}; gRPC with RESOURCE_EXHAUSTED.
 */
public final class OverloadedException extends LaunchpadException {
    private final Duration retryAfter;
    private final int queueDepth;

    public OverloadedException(String message, int queueDepth, Duration retryAfter) {
        super(ErrorCode.REQUEST_LIMIT_EXCEEDED, message);
        this.queueDepth = queueDepth;
        this.retryAfter = retryAfter;
    }

    /** An estimate of when the queue will have drained (whole seconds, at least one), for Retry-After. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Requests that were waiting when this one was refused. */
    public int queueDepth() {
        return queueDepth;
    }
}
