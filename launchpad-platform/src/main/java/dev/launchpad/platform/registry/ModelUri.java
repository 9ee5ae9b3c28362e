package dev.launchpad.platform.registry;

import dev.launchpad.core.error.LaunchpadException;

/**
 * A {@code models:/} URI: {@code models:/name/3} (a version), {@code models:/name@champion} (an
 * alias), {@code models:/name/Production} (the latest version in a stage) or {@code models:/name/latest}.
 */
public sealed interface ModelUri {
    String name();

    record ByVersion(String name, int version) implements ModelUri {
    }

    record ByAlias(String name, String alias) implements ModelUri {
    }

    record ByStage(String name, Stage stage) implements ModelUri {
    }

    record Latest(String name) implements ModelUri {
    }

    static boolean isModelUri(String uri) {
        return uri != null && uri.startsWith("models:/");
    }

    public static ModelUri parse(String uri) {
        if (!isModelUri(uri)) {
            throw invalid(uri);
        }
        var rest = uri.substring("models:/".length());
        int at = rest.lastIndexOf('@');
        if (at > 0 && !rest.contains("/")) {
            var alias = rest.substring(at + 1);
            if (alias.isEmpty()) {
                throw invalid(uri);
            }
            return new ByAlias(rest.substring(0, at), alias);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            throw invalid(uri);
        }
        var name = rest.substring(0, slash);
        var selector = rest.substring(slash + 1);
        if (selector.chars().allMatch(Character::isDigit)) {
            try {
                return new ByVersion(name, Integer.parseInt(selector));
            } catch (NumberFormatException e) {
                throw invalid(uri);
            }
        }
        if (selector.equalsIgnoreCase("latest")) {
            return new Latest(name);
        }
        return new ByStage(name, Stage.parse(selector));
    }

    private static LaunchpadException invalid(String uri) {
        return LaunchpadException.invalid("Invalid model URI '" + uri + "'. Expected models:/<name>/<version>,"
                + " models:/<name>@<alias>, models:/<name>/<stage> or models:/<name>/latest.");
    }
}
