package dev.launchpad.platform.govern.access;

/** A permission granted to one user on one resource, with who granted it and when. */
public record ResourcePermission(ResourceType type, String resourceId, String user, Permission permission,
                                 String grantedBy, long grantedTime) {
}
