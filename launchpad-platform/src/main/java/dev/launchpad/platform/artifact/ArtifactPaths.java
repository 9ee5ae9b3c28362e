package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;

/**
 * Validation of artifact paths at the store's boundary: relative, '/'-separated, without "..", ".",
 * empty segments, backslashes, NUL or other control characters, and without Launchpad's reserved
 * ".launchpad-" names (its temp files and multipart uploads). A path that passes can be joined to
 * a root directory or a bucket prefix without escaping it.
 */
public final class ArtifactPaths {
    /** Names starting with this are the store's own (temp files, uploads) and refused for artifacts. */
    public static final String RESERVED_PREFIX = ".launchpad-";
    private static final int MAX_LENGTH = 1024;

    private ArtifactPaths() {
    }

    /** A file (or directory to delete) path: non-empty, validated; a trailing '/' is not allowed. */
    public static String file(String path) {
        if (path == null || path.isEmpty()) {
            throw LaunchpadException.invalid("Invalid artifact path: it is empty.");
        }
        check(path);
        return path;
    }

    /** A directory path to list: "" (or null) for the root; one trailing '/' is tolerated. */
    public static String directory(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        var trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (trimmed.isEmpty()) {
            throw invalid(path, "it is absolute");
        }
        check(trimmed);
        return trimmed;
    }

    /** {@code directory/name}, or {@code name} for the root directory. */
    public static String join(String directory, String name) {
        return directory.isEmpty() ? name : directory + "/" + name;
    }

    /** The last segment of a path. */
    public static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void check(String path) {
        if (path.length() > MAX_LENGTH) {
            throw invalid(path.substring(0, 100) + "...", "it is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                throw invalid(path.replace("\0", "\\0"), "it contains a NUL character");
            }
            if (c == '\\') {
                throw invalid(path, "it contains a backslash (use '/' to separate directories)");
            }
            if (Character.isISOControl(c)) {
                throw invalid(path.replaceAll("\\p{Cntrl}", "?"), "it contains a control character");
            }
        }
        if (path.startsWith("/")) {
            throw invalid(path, "it is absolute; artifact paths are relative to the artifact root");
        }
        if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
            throw invalid(path, "it is absolute (a drive letter)");
        }
        for (var segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw invalid(path, "it has an empty segment ('//' or a trailing '/')");
            }
            if (segment.equals("..") || segment.equals(".")) {
                throw invalid(path, "'" + segment + "' segments are not allowed");
            }
            if (segment.startsWith(RESERVED_PREFIX)) {
                throw invalid(path, "names starting with '" + RESERVED_PREFIX + "' are reserved");
            }
        }
    }

    private static LaunchpadException invalid(String path, String why) {
        return LaunchpadException.invalid("Invalid artifact path '" + path + "': " + why + ".");
    }
}
