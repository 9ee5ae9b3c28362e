package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/** Offset-based page tokens, encoded as MLflow does: base64 of {@code {"offset": n}}. */
public final class PageToken {
    private static final Pattern OFFSET = Pattern.compile("^\\{\\s*\"offset\"\\s*:\\s*(\\d{1,10})\\s*}$");

    private PageToken() {
    }

    public static String encode(long offset) {
        return Base64.getEncoder().encodeToString(("{\"offset\": " + offset + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** The offset a token stands for; 0 for no token; INVALID_PARAMETER_VALUE for a token we did not issue. */
    public static int decode(String token) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        try {
            var json = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).strip();
            var matcher = OFFSET.matcher(json);
            if (matcher.matches()) {
                long offset = Long.parseLong(matcher.group(1));
                if (offset <= Integer.MAX_VALUE) {
                    return (int) offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw LaunchpadException.invalid("Invalid page token, could not base64-decode: '" + token + "'");
    }
}
