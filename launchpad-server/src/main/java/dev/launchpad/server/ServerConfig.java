package dev.launchpad.server;

import java.nio.file.Path;

/**
 * How a Launchpad server is started: where it listens, its home directory, its metadata database
 * (JDBC URL) and its artifact root. {@link #defaults(Path)} gives the embedded defaults.
 */
public record ServerConfig(String host, int port, Path home, String databaseUrl, String artifactRoot) {
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** SQLite at {@code home/launchpad.db} and artifacts under {@code home/artifacts}. */
    public static ServerConfig defaults(Path home) {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, home, sqliteUrl(home), home.resolve("artifacts").toString());
    }

    public static String sqliteUrl(Path home) {
        return "jdbc:sqlite:" + home.resolve("launchpad.db").toAbsolutePath();
    }

    /** {@code $LAUNCHPAD_HOME}, or {@code ~/.launchpad}. */
    public static Path defaultHome() {
        var env = System.getenv("LAUNCHPAD_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".launchpad");
    }
}
