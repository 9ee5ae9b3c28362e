package dev.launchpad.inference.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.SignatureJson;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A model package's descriptor: MLflow's {@code MLmodel} YAML, with its flavors (e.g. {@code onnx}
 * pointing at the model file) and its signature. Launchpad reads packages MLflow wrote and writes
 * its own in the same format, so either tool can load the other's.
 */
public record ModelPackage(ObjectNode descriptor, Optional<Signature> signature) {
    public static final String DESCRIPTOR_FILE = "MLmodel";
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    /** Parses an MLmodel file; a malformed one is an IllegalArgumentException saying what is wrong. */
    public static ModelPackage read(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("MLmodel is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("MLmodel must be a YAML mapping");
        }
        if (!root.path("flavors").isObject() || root.path("flavors").isEmpty()) {
            throw new IllegalArgumentException("MLmodel has no flavors: it does not say how to load the model");
        }
        var sig = root.path("signature");
        Optional<Signature> signature = Optional.empty();
        if (sig.isObject() && sig.hasNonNull("inputs")) {
            var outputs = sig.hasNonNull("outputs") ? SignatureJson.read(sig.get("outputs").asText())
                    : java.util.List.<dev.launchpad.core.schema.Spec>of();
            signature = Optional.of(new Signature(SignatureJson.read(sig.get("inputs").asText()), outputs));
        }
        return new ModelPackage((ObjectNode) root, signature);
    }

    /** A package for an ONNX model file, as MLflow's onnx flavor writes it. */
    public static ModelPackage forOnnx(String modelFile, Signature signature, String runId, String launchpadVersion) {
        var root = YAML.createObjectNode();
        root.put("artifact_path", "model");
        var flavors = root.putObject("flavors");
        var onnx = flavors.putObject("onnx");
        onnx.putNull("code");
        onnx.put("data", modelFile);
        onnx.put("providers", "CPUExecutionProvider");
        var pyfunc = flavors.putObject("python_function");
        pyfunc.put("data", modelFile);
        pyfunc.put("loader_module", "mlflow.onnx");
        root.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
        if (runId != null) {
            root.put("run_id", runId);
        }
        if (signature != null) {
            var sig = root.putObject("signature");
            sig.put("inputs", SignatureJson.write(signature.inputs()));
            sig.put("outputs", SignatureJson.write(signature.outputs()));
            sig.putNull("params");
        }
        root.put("utc_time_created", Instant.now().toString().replace('T', ' ').replace("Z", ""));
        root.put("launchpad_version", launchpadVersion);
        return new ModelPackage(root, Optional.ofNullable(signature));
    }

    public String toYaml() {
        try {
            return YAML.writeValueAsString(descriptor);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ONNX model file's path inside the package, if the package has an onnx flavor. */
    public Optional<String> onnxModelFile() {
        var data = descriptor.path("flavors").path("onnx").path("data");
        return data.isTextual() ? Optional.of(data.asText()) : Optional.empty();
    }

    public boolean hasFlavor(String flavor) {
        return descriptor.path("flavors").has(flavor);
    }

    public Optional<String> runId() {
        var run = descriptor.path("run_id");
        return run.isTextual() ? Optional.of(run.asText()) : Optional.empty();
    }
}
