package dev.launchpad.server.http;

import java.util.Locale;

/**
 * Content negotiation for the routes that answer JSON by default and another media type (an HTML report, a Markdown
 * card) when the client asks for it: by the quality values of its {@code Accept} header, not by a substring.
 */
public final class AcceptHeader {
    private AcceptHeader() {
    }

    /**
     * Whether {@code accept} asks for {@code mediaType} before JSON: {@code mediaType} with a higher quality than
     * {@code application/json} and the wildcards that cover it, as a browser's header does for {@code text/html};
     * {@code application/json, text/html;q=0.1} asks for JSON. No header asks for JSON.
     */
    public static boolean prefers(String accept, String mediaType) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        double wanted = -1;
        double json = -1;
        for (var part : accept.split(",")) {
            var fields = part.split(";");
            var type = fields[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < fields.length; i++) {
                var p = fields[i].trim();
                if (p.startsWith("q=") || p.startsWith("Q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (type.equals(mediaType)) {
                wanted = Math.max(wanted, q);
            } else if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")
                    || type.equals("*")) {
                json = Math.max(json, q);
            }
        }
        return wanted > 0 && wanted > json;
    }
}
