package dev.launchpad.platform.tracking;

/** One metric point: value (NaN and ±Infinity allowed) at a timestamp (ms since epoch) and step. */
public record Metric(String key, double value, long timestamp, long step) {
}
