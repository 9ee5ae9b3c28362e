package dev.launchpad.server.cli;

import dev.launchpad.core.id.Ids;
import dev.launchpad.inference.model.ModelPackage;
import dev.launchpad.inference.model.OnnxSignatures;
import dev.launchpad.server.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code launchpad models register}: packages an ONNX file as an MLflow-format model (MLmodel with
 * the onnx flavor and, when asked, the signature read off the graph), uploads it through the
 * server's artifact proxy and registers it as a new version, printing {@code models:/name/version}.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Register an ONNX model file as a new version of a registered model.")
public final class ModelsRegisterCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", required = true, description = "Registered model name (created if it does not exist).")
    String name;

    @Option(names = "--file", required = true, description = "The ONNX model file.")
    Path file;

    @Option(names = "--signature-from-model", description = "Read the input/output signature off the ONNX graph.")
    boolean signatureFromModel;

    @Option(names = "--run", description = "Run that produced the model: the package is stored with the run's"
            + " artifacts and the version records the run's lineage.")
    String runId;

    @Option(names = "--description", description = "Description of the new version.")
    String description;

    @Option(names = "--reference-data", description = "Training or validation data (CSV with a header, or Parquet) whose profile"
            + " becomes the new version's monitoring baseline.")
    Path referenceData;

    @Option(names = "--server", description = "Launchpad server URL (default: $LAUNCHPAD_URL, $MLFLOW_TRACKING_URI"
            + " or http://127.0.0.1:8080).")
    String server;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println("launchpad models register: cannot read model file '" + file + "'");
            return 2;
        }
        if (name.isBlank() || name.contains("/") || name.contains("@")) {
            err.println("launchpad models register: invalid model name '" + name + "' (it may not be blank or contain"
                    + " '/' or '@')");
            return 2;
        }
        if (referenceData != null && (!Files.isRegularFile(referenceData) || !Files.isReadable(referenceData)
                || ServerClient.referenceDataType(referenceData) == null)) {
            err.println("launchpad models register: --reference-data must be a readable .csv or .parquet file, got '"
                    + referenceData + "'");
            return 2;
        }
        try {
            var tooLarge = referenceData == null ? null : ServerClient.tooLargeForBaseline(referenceData, false);
            if (tooLarge != null) {
                err.println("launchpad models register: " + tooLarge);
                return 2;
            }
        } catch (java.io.IOException e) {
            err.println("launchpad models register: cannot read '" + referenceData + "': " + e.getMessage());
            return 2;
        }
        dev.launchpad.core.schema.Signature signature;
        try {
            // Loading the graph checks that the file is a model at all, with or without --signature-from-model.
            var inferred = OnnxSignatures.infer(file);
            signature = signatureFromModel ? inferred : null;
        } catch (IllegalArgumentException e) {
            err.println("launchpad models register: " + e.getMessage());
            return 2;
        }
        var client = new ServerClient(server != null ? server : ServerClient.defaultUrl());
        try {
            String artifactDir;
            String source;
            if (runId != null) {
                var run = client.get("/api/2.0/mlflow/runs/get?run_id=" + ServerClient.encode(runId));
                var artifactUri = run.path("run").path("info").path("artifact_uri").asText();
                if (!artifactUri.startsWith("mlflow-artifacts:/")) {
                    err.println("launchpad models register: run " + runId + " stores artifacts at '" + artifactUri
                            + "', which this server does not proxy");
                    return 1;
                }
                artifactDir = stripSlashes(artifactUri.substring("mlflow-artifacts:/".length())) + "/model";
                source = "runs:/" + runId + "/model";
            } else {
                artifactDir = "registry/" + name + "/" + Ids.newHexId();
                source = "mlflow-artifacts:/" + artifactDir;
            }
            var pkg = ModelPackage.forOnnx("model.onnx", signature, runId, Version.current());
            client.upload(artifactDir + "/model.onnx", file);
            client.upload(artifactDir + "/" + ModelPackage.DESCRIPTOR_FILE, pkg.toYaml().getBytes(StandardCharsets.UTF_8));
            try {
                client.post("/api/2.0/mlflow/registered-models/create", Map.of("name", name));
            } catch (ServerClient.ServerError e) {
                if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode)) {
                    throw e;
                }
            }
            var body = new HashMap<String, Object>(Map.of("name", name, "source", source));
            if (runId != null) {
                body.put("run_id", runId);
            }
            if (description != null) {
                body.put("description", description);
            }
            var version = client.post("/api/2.0/mlflow/model-versions/create", body).path("model_version");
            var uri = "models:/" + name + "/" + version.path("version").asText();
            out.println(uri);
            out.flush();
            if (referenceData != null) {
                try {
                    var baseline = client.putFile("/api/v1/models/" + ServerClient.encode(name) + "/versions/"
                                    + version.path("version").asText() + "/baseline",
                            ServerClient.referenceDataType(referenceData), referenceData);
                    err.printf("baseline: %d rows, %d columns%n", baseline.path("rows").asLong(),
                            baseline.path("columns").size());
                } catch (ServerClient.ServerError e) {
                    err.println("launchpad models register: " + uri + " is registered, but its baseline was refused: "
                            + e.getMessage() + " (set it later with launchpad monitor baseline)");
                    return 1;
                } catch (IOException e) { // the connection failed during the upload (closed early after a refusal, say)
                    err.println("launchpad models register: " + uri + " is registered, but its baseline could not be"
                            + " sent: " + e.getMessage() + " (set it later with launchpad monitor baseline)");
                    return 1;
                }
            }
            return 0;
        } catch (IOException e) {
            err.println("launchpad models register: " + e.getMessage());
            return 1;
        }
    }

    private static String stripSlashes(String path) {
        var p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
