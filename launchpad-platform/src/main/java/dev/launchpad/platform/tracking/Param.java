package dev.launchpad.platform.tracking;

/** A run parameter: immutable once logged. */
public record Param(String key, String value) {
}
