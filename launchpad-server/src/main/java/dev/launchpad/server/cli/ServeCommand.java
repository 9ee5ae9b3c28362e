package dev.launchpad.server.cli;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code launchpad serve models:/fraud@champion}: serves one registered model, as {@code mlflow models
 * serve} does, at {@code /invocations} and over the Open Inference Protocol (REST and gRPC). With an
 * alias, it follows the alias and hot-swaps when it moves.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve one registered model (MLflow scoring protocol and Open Inference Protocol).")
public final class ServeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL_URI",
            description = "The model to serve: models:/name/version, models:/name@alias or models:/name/latest.")
    String modelUri;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).",
            defaultValue = ServerConfig.DEFAULT_HOST)
    String host;

    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;

    @Option(names = "--grpc-port", description = "gRPC port (default: ${DEFAULT-VALUE}; -1 turns it off).",
            defaultValue = "8081")
    int grpcPort;

    @Option(names = "--auth", description = "Authentication: token (default) or none (a laptop only).",
            defaultValue = "token")
    String auth;

    @Option(names = "--home", description = "Launchpad's home directory (default: $LAUNCHPAD_HOME or ~/.launchpad).")
    Path home;

    @Option(names = "--db", description = "The registry's database JDBC URL (default: SQLite at <home>/launchpad.db).")
    String db;

    @Option(names = "--artifacts", description = "Artifact root holding the model's files (default: <home>/artifacts).")
    String artifacts;

    @Override
    public Integer call() {
        if (port < 0 || port > 65535 || grpcPort < -1 || grpcPort > 65535) {
            System.err.println("launchpad serve: --port must be 0-65535 and --grpc-port -1-65535");
            return 2;
        }
        var authMode = ServerCommand.authMode("serve", auth);
        if (authMode == null) {
            return 2;
        }
        var base = home != null ? home : ServerConfig.defaultHome();
        var config = new ServerConfig(host, port, base, db != null ? db : ServerConfig.sqliteUrl(base),
                artifacts != null ? artifacts : base.resolve("artifacts").toString(), grpcPort, authMode);
        Launchpad launchpad;
        try {
            launchpad = Launchpad.serveOne(config, modelUri);
        } catch (LaunchpadException e) {
            System.err.println("launchpad serve: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("launchpad serve: could not start: " + ServerCommand.rootMessage(e));
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(launchpad::close, "launchpad-shutdown"));
        System.out.println("Launchpad " + Version.current() + " is serving " + modelUri + " at " + launchpad.url()
                + "/invocations");
        System.out.println("  Open Inference Protocol: REST " + launchpad.url() + "/v2"
                + (launchpad.grpcPort() >= 0 ? ", gRPC port " + launchpad.grpcPort() : ""));
        ServerCommand.announceAuth(launchpad);
        System.out.flush();
        ServerCommand.markRunning();
        return 0;
    }
}
