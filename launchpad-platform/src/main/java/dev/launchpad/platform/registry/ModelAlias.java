package dev.launchpad.platform.registry;

/** A named pointer (champion, challenger, ...) from a registered model to one of its versions. */
public record ModelAlias(String alias, int version) {
}
