package dev.launchpad.platform.govern.identity;

/** A person or a service account, with its global role. */
public record User(String name, Kind kind, Role role, long creationTime, boolean disabled) {
    /** People sign in with passwords or tokens; service accounts only with tokens. */
    public enum Kind { USER, SERVICE }
}
