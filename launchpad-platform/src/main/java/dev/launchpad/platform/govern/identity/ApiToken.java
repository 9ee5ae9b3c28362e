package dev.launchpad.platform.govern.identity;

/**
 * An API token's record: whose it is, its name, when it was made, when it expires (null: never) and
 * when it was revoked (null: not). The secret itself is never stored, only its SHA-256.
 */
public record ApiToken(String id, String userName, String name, long creationTime, Long expiryTime, Long revokedTime) {

    /** Whether the token may be used at {@code now}. */
    public boolean activeAt(long now) {
        return revokedTime == null && (expiryTime == null || now < expiryTime);
    }
}
