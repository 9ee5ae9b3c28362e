package dev.launchpad.server;

import dev.launchpad.platform.TestDirectories;

/** Starts a real Launchpad server on a free loopback port against a given database, its home deleted at exit. */
public final class TestServers {
    private TestServers() {
    }

    /** A server whose artifact root is {@code artifactRoot} (a directory or s3://bucket/prefix). */
    public static Launchpad start(String databaseUrl, String artifactRoot) {
        var home = TestDirectories.create("launchpad-home-");
        return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl, artifactRoot));
    }

    /** A server with its gRPC endpoint on a free port as well. */
    public static Launchpad startWithGrpc(String databaseUrl) {
        var home = TestDirectories.create("launchpad-home-");
        return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                home.resolve("artifacts").toString(), 0));
    }

    /** A server with authentication on (tokens; the first start's admin token is in {@link Launchpad#firstStartToken()}) and gRPC. */
    public static Launchpad startWithAuth(String databaseUrl) {
        var home = TestDirectories.create("launchpad-home-");
        return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                home.resolve("artifacts").toString(), 0, ServerConfig.Auth.TOKEN));
    }

    /** A server with authentication on, and no gRPC, whose time is {@code clock}'s. */
    public static Launchpad startWithAuth(String databaseUrl, java.time.Clock clock) {
        var home = TestDirectories.create("launchpad-home-");
        return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                home.resolve("artifacts").toString(), -1, ServerConfig.Auth.TOKEN), clock);
    }

    public static Launchpad start(String databaseUrl) {
        var home = TestDirectories.create("launchpad-home-");
        return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                home.resolve("artifacts").toString()));
    }
}
