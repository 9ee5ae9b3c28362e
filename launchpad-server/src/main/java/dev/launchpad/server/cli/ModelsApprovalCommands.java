package dev.launchpad.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code launchpad models approval|approve|reject NAME VERSION}: a model version's four-eyes approval
 * from the command line, against a running server (credentials as for every command:
 * {@code $LAUNCHPAD_TOKEN} or the MLflow variables).
 */
final class ModelsApprovalCommands {
    private ModelsApprovalCommands() {
    }

    /** Options every approval command shares. */
    abstract static class VersionCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION", description = "Model version number.")
        String version;

        @Option(names = "--server", description = "Launchpad server URL (default: $LAUNCHPAD_URL, $MLFLOW_TRACKING_URI"
                + " or http://127.0.0.1:8080).")
        String server;

        abstract JsonNode call(ServerClient client, String path) throws IOException;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            var command = "launchpad models " + spec.name();
            if (!version.matches("[1-9][0-9]{0,8}")) {
                err.println(command + ": VERSION must be a positive number, got '" + version + "'");
                return 2;
            }
            var client = new ServerClient(server != null ? server : ServerClient.defaultUrl());
            var path = "/api/v1/models/" + ServerClient.encode(name) + "/versions/" + version + "/approval";
            try {
                print(out, call(client, path));
                return 0;
            } catch (ServerClient.ServerError e) {
                err.println(command + ": " + e.getMessage());
                return e.status >= 400 && e.status < 500 ? 2 : 1; // a request refused; else the server's answer was wrong
            } catch (IOException e) {
                err.println(command + ": " + e.getMessage());
                return 1;
            }
        }

        private static void print(PrintWriter out, JsonNode approval) {
            out.println(approval.path("name").asText() + " v" + approval.path("version").asText() + ": "
                    + approval.path("status").asText() + " (registered by " + approval.path("registered_by").asText()
                    + ")");
            for (var decision : approval.path("decisions")) {
                out.println("  " + decision.path("decision").asText() + " by " + decision.path("decided_by").asText()
                        + ": " + decision.path("comment").asText());
            }
            for (var gate : approval.path("unmet_gates")) {
                out.println("  unmet: " + gate.asText());
            }
            out.flush();
        }
    }

    @Command(name = "approval", mixinStandardHelpOptions = true,
            description = "Show a model version's approval: status, decisions and unmet gates.")
    static final class Show extends VersionCommand {
        @Override
        JsonNode call(ServerClient client, String path) throws IOException {
            return client.get(path);
        }
    }

    /** Approve or reject, with a comment. */
    abstract static class Decide extends VersionCommand {
        @Option(names = {"-m", "--comment"}, required = true, description = "Why (stored with the decision).")
        String comment;

        abstract String decision();

        @Override
        JsonNode call(ServerClient client, String path) throws IOException {
            return client.post(path, Map.of("decision", decision(), "comment", comment));
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve a model version (approver role; not its registrant).")
    static final class Approve extends Decide {
        @Override
        String decision() {
            return "approve";
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = "Reject a model version (approver role; not its registrant).")
    static final class Reject extends Decide {
        @Override
        String decision() {
            return "reject";
        }
    }
}
