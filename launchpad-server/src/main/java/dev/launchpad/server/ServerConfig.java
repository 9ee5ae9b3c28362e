package dev.launchpad.server;

import java.nio.file.Path;
import java.util.List;

/**
 * How a Launchpad server is started: where it listens, its home directory, its metadata database
 * (JDBC URL), its artifact root, the Open Inference Protocol's gRPC port, whether requests authenticate, and
 * the aliases only approved model versions may hold. {@link #defaults(Path)} gives the embedded defaults.
 */
public record ServerConfig(String host, int port, Path home, String databaseUrl, String artifactRoot, int grpcPort,
                           Auth auth, List<String> protectedAliases) {
    /** Whether requests must authenticate: with tokens or passwords (the default), or not at all (a laptop). */
    public enum Auth { TOKEN, NONE }

    public static final int DEFAULT_PORT = 8080;
    /** The Open Inference Protocol's gRPC port; -1 turns gRPC off, 0 picks a free port. */
    public static final int DEFAULT_GRPC_PORT = 8081;

    public ServerConfig {
        protectedAliases = List.copyOf(protectedAliases);
    }

    /** A configuration with the default protected aliases ({@code champion}, {@code production}). */
    public ServerConfig(String host, int port, Path home, String databaseUrl, String artifactRoot, int grpcPort,
                        Auth auth) {
        this(host, port, home, databaseUrl, artifactRoot, grpcPort, auth, DEFAULT_PROTECTED_ALIASES);
    }

    /** The aliases only approved model versions may hold, unless configured otherwise. */
    public static final List<String> DEFAULT_PROTECTED_ALIASES = List.of("champion", "production");

    /** A configuration without the gRPC endpoint and without authentication (for embedding and tests). */
    public ServerConfig(String host, int port, Path home, String databaseUrl, String artifactRoot) {
        this(host, port, home, databaseUrl, artifactRoot, -1, Auth.NONE);
    }

    /** A configuration without authentication (for embedding and tests). */
    public ServerConfig(String host, int port, Path home, String databaseUrl, String artifactRoot, int grpcPort) {
        this(host, port, home, databaseUrl, artifactRoot, grpcPort, Auth.NONE);
    }

    /** The same configuration with the gRPC endpoint on {@code grpcPort}. */
    public ServerConfig withGrpcPort(int grpcPort) {
        return new ServerConfig(host, port, home, databaseUrl, artifactRoot, grpcPort, auth, protectedAliases);
    }

    /** The same configuration on {@code port}. */
    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, home, databaseUrl, artifactRoot, grpcPort, auth, protectedAliases);
    }

    /** The same configuration with authentication {@code auth}. */
    public ServerConfig withAuth(Auth auth) {
        return new ServerConfig(host, port, home, databaseUrl, artifactRoot, grpcPort, auth, protectedAliases);
    }

    /** The same configuration with {@code aliases} protected (only approved versions may hold them). */
    public ServerConfig withProtectedAliases(List<String> aliases) {
        return new ServerConfig(host, port, home, databaseUrl, artifactRoot, grpcPort, auth, aliases);
    }

    public static final String DEFAULT_HOST = "127.0.0.1";

    /** SQLite at {@code home/launchpad.db} and artifacts under {@code home/artifacts}. */
    public static ServerConfig defaults(Path home) {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, home, sqliteUrl(home), home.resolve("artifacts").toString(),
                DEFAULT_GRPC_PORT, Auth.TOKEN);
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
