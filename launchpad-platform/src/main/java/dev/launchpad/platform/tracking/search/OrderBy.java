package dev.launchpad.platform.tracking.search;

/** One order_by term, e.g. {@code metrics.accuracy DESC}. */
public record OrderBy(EntityType type, String key, boolean ascending) {
}
