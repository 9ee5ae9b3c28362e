package dev.launchpad.platform.tracking;

/** A key/value tag on an experiment, a run or a dataset input. */
public record Tag(String key, String value) {
}
