package dev.launchpad.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code launchpad alerts list|incidents|ack|resolve}: alerts fired by the monitors and the incidents they opened. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "Monitoring alerts and incidents.",
        subcommands = {AlertsCommand.ListAlerts.class, AlertsCommand.Incidents.class, AlertsCommand.Ack.class,
                AlertsCommand.Resolve.class})
public final class AlertsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandGroups.missingSubcommand(spec);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Recent alerts, newest first.")
    static final class ListAlerts implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--deployment", description = "Only this deployment's alerts.")
        String deployment;

        @Option(names = "--limit", defaultValue = "50", description = "The newest, at most this many, up to 100 (default 50).")
        int limit;

        @Option(names = "--server", description = "Launchpad server URL.")
        String server;

        @Override
        public Integer call() throws Exception {
            return ServerClient.answer(spec, server, (client, out) -> {
                var path = "/api/v1/alerts?limit=" + limit + (deployment == null ? "" : "&deployment=" + ServerClient.encode(deployment));
                var body = client.get(path);
                out.printf("%-6s %-24s %-10s %-16s %-9s %-16s %-16s %s%n", "ID", "FIRED", "SEVERITY", "DEPLOYMENT", "INCIDENT",
                        "RULE", "CHECK", "MESSAGE");
                for (var a : body.path("alerts")) {
                    out.printf("%-6d %-24s %-10s %-16s %-9d %-16s %-16s %s%n", a.path("id").asLong(),
                            Instant.ofEpochMilli(a.path("fired_at").asLong()), a.path("severity").asText(),
                            a.path("deployment").asText(), a.path("incident_id").asLong(), a.path("rule").asText(),
                            a.path("check").asText(), a.path("message").asText());
                }
            });
        }
    }

    @Command(name = "incidents", mixinStandardHelpOptions = true, description = "Incidents, newest first.")
    static final class Incidents implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--status", description = "open, acknowledged or resolved.")
        String status;

        @Option(names = "--deployment", description = "Only this deployment's incidents.")
        String deployment;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many, up to 100 (default 50).")
        int limit;

        @Option(names = "--server", description = "Launchpad server URL.")
        String server;

        @Override
        public Integer call() throws Exception {
            return ServerClient.answer(spec, server, (client, out) -> {
                var body = client.get("/api/v1/incidents?limit=" + limit + (status == null ? "" : "&status="
                        + ServerClient.encode(status)) + (deployment == null ? "" : "&deployment="
                        + ServerClient.encode(deployment)));
                out.printf("%-6s %-13s %-10s %-16s %-16s %-24s %s%n", "ID", "STATUS", "SEVERITY", "DEPLOYMENT", "RULE",
                        "OPENED", "SUMMARY");
                for (var i : body.path("incidents")) {
                    out.printf("%-6d %-13s %-10s %-16s %-16s %-24s %s%n", i.path("id").asLong(), i.path("status").asText(),
                            i.path("severity").asText(), i.path("deployment").asText(), i.path("rule").asText(),
                            Instant.ofEpochMilli(i.path("opened_at").asLong()), i.path("summary").asText());
                }
            });
        }
    }

    abstract static class Transition implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Incident id.")
        long id;

        @Option(names = "--server", description = "Launchpad server URL.")
        String server;

        abstract String action();

        @Override
        public Integer call() throws Exception {
            return ServerClient.answer(spec, server, (client, out) -> out.printf("Incident %d is %s%n", id,
                    client.post("/api/v1/incidents/" + id + "/" + action(),
                            dev.launchpad.core.json.Json.mapper().createObjectNode()).path("status").asText()));
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true, description = "Acknowledge an open incident.")
    static final class Ack extends Transition {
        @Override
        String action() {
            return "acknowledge";
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true, description = "Resolve an incident.")
    static final class Resolve extends Transition {
        @Override
        String action() {
            return "resolve";
        }
    }
}
