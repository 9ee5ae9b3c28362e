package dev.launchpad.server.cli;

import dev.launchpad.core.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code launchpad lineage}: the lineage graph of a model version (by number or alias), a run or a dataset
 * digest, from a running server, as JSON ({@code --format json}) or as OpenLineage run events, one per line
 * ({@code --format openlineage}). Credentials come from the environment as for every server command
 * ({@code $LAUNCHPAD_TOKEN}, ...).
 */
@Command(name = "lineage", mixinStandardHelpOptions = true,
        description = "Show where a model version, run or dataset came from and where it went (dataset -> run ->"
                + " model version -> deployment -> prediction windows), as JSON or OpenLineage events.")
public final class LineageCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { json, openlineage }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", description = "Registered model name (with --version or --alias).")
    String model;

    @Option(names = "--version", description = "Model version number.")
    String version;

    @Option(names = "--alias", description = "Model alias, e.g. champion.")
    String alias;

    @Option(names = "--run", description = "Start at this run instead.")
    String runId;

    @Option(names = "--dataset-digest", description = "Start at the datasets with this digest instead.")
    String datasetDigest;

    @Option(names = "--depth", description = "Follow at most this many edges each way (default: all).")
    Integer depth;

    @Option(names = "--format", defaultValue = "json",
            description = "json (the graph) or openlineage (run events as JSON lines). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--namespace", description = "OpenLineage namespace for the jobs (default: launchpad).")
    String namespace;

    @Option(names = "--server", description = "Launchpad server URL (default: $LAUNCHPAD_URL, $MLFLOW_TRACKING_URI"
            + " or http://127.0.0.1:8080).")
    String server;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        boolean hasModel = model != null;
        int starts = (hasModel ? 1 : 0) + (runId != null ? 1 : 0) + (datasetDigest != null ? 1 : 0);
        if (starts != 1 || hasModel == (version == null && alias == null) || (version != null && alias != null)) {
            err.println("launchpad lineage: give --model with --version or --alias, or --run, or --dataset-digest");
            return 2;
        }
        var params = new LinkedHashMap<String, String>();
        params.put("model", model);
        params.put("version", version);
        params.put("alias", alias);
        params.put("run_id", runId);
        params.put("dataset_digest", datasetDigest);
        params.put("depth", depth == null ? null : depth.toString());
        if (format == Format.openlineage) {
            params.put("namespace", namespace);
        }
        var path = (format == Format.json ? "/api/v1/lineage" : "/api/v1/lineage/openlineage") + query(params);
        try {
            var body = new ServerClient(server != null ? server : ServerClient.defaultUrl()).getText(path);
            if (format == Format.json) {
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(Json.mapper().readTree(body)));
            } else {
                out.print(body);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("launchpad lineage: " + e.getMessage());
            return 1;
        }
    }

    private static String query(Map<String, String> params) {
        var query = new StringBuilder();
        params.forEach((name, value) -> {
            if (value != null) {
                query.append(query.isEmpty() ? '?' : '&').append(name).append('=').append(ServerClient.encode(value));
            }
        });
        return query.toString();
    }
}
