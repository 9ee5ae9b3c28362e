package dev.launchpad.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Starts a real Launchpad server on a free loopback port against a given database. */
public final class TestServers {
    private TestServers() {
    }

    /** A server whose artifact root is {@code artifactRoot} (a directory or s3://bucket/prefix). */
    public static Launchpad start(String databaseUrl, String artifactRoot) {
        try {
            var home = Files.createTempDirectory("launchpad-home-");
            return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl, artifactRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server with its gRPC endpoint on a free port as well. */
    public static Launchpad startWithGrpc(String databaseUrl) {
        try {
            var home = Files.createTempDirectory("launchpad-home-");
            return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                    home.resolve("artifacts").toString(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server with authentication on (tokens; the first start's admin token is in {@link Launchpad#firstStartToken()}) and gRPC. */
    public static Launchpad startWithAuth(String databaseUrl) {
        try {
            var home = Files.createTempDirectory("launchpad-home-");
            return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                    home.resolve("artifacts").toString(), 0, ServerConfig.Auth.TOKEN));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Launchpad start(String databaseUrl) {
        try {
            var home = Files.createTempDirectory("launchpad-home-");
            return Launchpad.start(new ServerConfig("127.0.0.1", 0, home, databaseUrl,
                    home.resolve("artifacts").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
