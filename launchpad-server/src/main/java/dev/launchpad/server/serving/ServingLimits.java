package dev.launchpad.server.serving;

import java.time.Duration;

/**
 * Limits every inference request is held to: body size, rows per request and how long it may wait
 * for the model. Beyond them a request gets 413, 400 or 503 rather than tying up the server.
 */
public record ServingLimits(long maxRequestBytes, int maxRows, Duration timeout) {
    /** 32 MiB bodies, 10 000 rows, 30 s. */
    public static final ServingLimits DEFAULTS = new ServingLimits(32L * 1024 * 1024, 10_000, Duration.ofSeconds(30));

    public ServingLimits {
        if (maxRequestBytes < 1 || maxRows < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("serving limits must be positive");
        }
    }
}
