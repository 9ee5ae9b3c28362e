package dev.launchpad.server.auth;

import dev.launchpad.platform.govern.identity.IdentityService;
import dev.launchpad.platform.govern.identity.User;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a user: {@code Bearer <token>} (what MLflow clients send
 * for {@code MLFLOW_TRACKING_TOKEN}) or {@code Basic} user and password — where the password may also
 * be a token (what they send for {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD}).
 * Shared by the HTTP filter and the gRPC interceptor.
 */
public final class Authenticator {
    private final IdentityService identity;

    public Authenticator(IdentityService identity) {
        this.identity = identity;
    }

    /** The user the header names, if its credentials are valid and the user is enabled. */
    public Optional<User> authenticate(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        var header = authorization.strip();
        int space = header.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        var scheme = header.substring(0, space);
        var value = header.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return identity.authenticateToken(value);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            var user = decoded.substring(0, colon);
            var secret = decoded.substring(colon + 1);
            if (secret.startsWith(IdentityService.TOKEN_PREFIX)) {
                return identity.authenticateToken(secret).filter(u -> u.name().equals(user) || user.isEmpty()
                        || user.equals("token"));
            }
            return identity.authenticatePassword(user, secret);
        }
        return Optional.empty();
    }
}
