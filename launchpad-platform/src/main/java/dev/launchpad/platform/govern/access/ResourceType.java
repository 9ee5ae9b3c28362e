package dev.launchpad.platform.govern.access;

/** The kinds of resource permissions are granted on: experiments (by id) and registered models (by name). */
public enum ResourceType {
    EXPERIMENT, REGISTERED_MODEL
}
