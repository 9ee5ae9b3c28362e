package dev.launchpad.server.cli;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code launchpad server}: runs the tracking server until interrupted. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start the Launchpad server (MLflow-compatible tracking API).")
public final class ServerCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = ServerConfig.DEFAULT_HOST)
    String host;

    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;

    @Option(names = "--home", description = "Launchpad's home directory (default: $LAUNCHPAD_HOME or ~/.launchpad).")
    Path home;

    @Option(names = "--db", description = "Metadata database JDBC URL (default: SQLite at <home>/launchpad.db),"
            + " e.g. jdbc:postgresql://localhost:5432/launchpad?user=u&password=p")
    String db;

    @Option(names = "--artifacts", description = "Artifact root (default: <home>/artifacts).")
    String artifacts;

    @Option(names = "--auth", description = "Authentication: token (default; users, tokens and passwords) or none"
            + " (anyone may do anything: for a laptop only).", defaultValue = "token")
    String auth;

    @Option(names = "--grpc-port", description = "Port of the Open Inference Protocol's gRPC endpoint"
            + " (default: ${DEFAULT-VALUE}; -1 turns it off).", defaultValue = "8081")
    int grpcPort;

    @Option(names = "--protected-aliases", split = ",", description = "Model aliases only approved versions may"
            + " hold (default: champion,production; an empty value protects none).")
    java.util.List<String> protectedAliases;

    static boolean keepsRunning() {
        return running;
    }

    /** Tells main that a server is up and the JVM must keep running after the command returns. */
    static void markRunning() {
        running = true;
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("launchpad server: --port must be between 0 and 65535, got " + port);
            return 2;
        }
        if (grpcPort < -1 || grpcPort > 65535) {
            System.err.println("launchpad server: --grpc-port must be between -1 and 65535, got " + grpcPort);
            return 2;
        }
        var authMode = authMode("server", auth);
        if (authMode == null) {
            return 2;
        }
        var base = home != null ? home : ServerConfig.defaultHome();
        var config = new ServerConfig(host, port, base, db != null ? db : ServerConfig.sqliteUrl(base),
                artifacts != null ? artifacts : base.resolve("artifacts").toString(), grpcPort, authMode,
                protectedAliases == null ? ServerConfig.DEFAULT_PROTECTED_ALIASES
                        : protectedAliases.stream().map(String::strip).filter(a -> !a.isEmpty()).toList());
        Launchpad launchpad;
        try {
            launchpad = Launchpad.start(config);
        } catch (LaunchpadException e) {
            System.err.println("launchpad server: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("launchpad server: could not start: " + rootMessage(e));
            return 1;
        }
        running = true;
        Runtime.getRuntime().addShutdownHook(new Thread(launchpad::close, "launchpad-shutdown"));
        System.out.println("Launchpad " + Version.current() + " is running at " + launchpad.url());
        announceAuth(launchpad);
        System.out.println("  metadata:  " + config.databaseUrl());
        System.out.println("  artifacts: " + config.artifactRoot());
        System.out.println("  MLflow clients: export MLFLOW_TRACKING_URI=" + launchpad.url());
        if (launchpad.grpcPort() >= 0) {
            System.out.println("  Open Inference Protocol: REST " + launchpad.url() + "/v2, gRPC port " + launchpad.grpcPort());
        }
        System.out.flush();
        return 0;
    }

    /** The --auth value as a mode, or null (after printing why) when it is neither token nor none. */
    static ServerConfig.Auth authMode(String command, String value) {
        return switch (value) {
            case "token" -> ServerConfig.Auth.TOKEN;
            case "none" -> ServerConfig.Auth.NONE;
            default -> {
                System.err.println("launchpad " + command + ": --auth must be 'token' or 'none', got '" + value + "'");
                yield null;
            }
        };
    }

    /** Prints the first-start admin token once, or a loud warning when authentication is off. */
    static void announceAuth(Launchpad launchpad) {
        if (launchpad.config().auth() == ServerConfig.Auth.NONE) {
            System.out.println();
            System.out.println("  *** WARNING: authentication is OFF (--auth none). Anyone who can reach this server can");
            System.out.println("  *** read, change and delete everything in it, and no model alias is protected by");
            System.out.println("  *** approvals (four-eyes needs identities). Use this only on your own laptop. ***");
            System.out.println();
            return;
        }
        launchpad.firstStartToken().ifPresent(token -> {
            System.out.println("  First start: created user 'admin'. Its token (shown only now, store it safely):");
            System.out.println("    " + token.secret());
            System.out.println("  export LAUNCHPAD_TOKEN=<token>   # and MLFLOW_TRACKING_TOKEN=<token> for MLflow clients");
        });
    }

    static String rootMessage(Throwable e) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
