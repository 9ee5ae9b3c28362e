package dev.launchpad.platform.govern.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.lineage.LineageGraph.Node;
import dev.launchpad.platform.govern.lineage.LineageGraph.NodeType;
import dev.launchpad.platform.govern.lineage.LineageGraph.Relation;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A lineage graph as OpenLineage run events (spec 2-0-2): one event per training run (inputs: the
 * datasets it consumed, outputs: the model versions it produced) and one per deployment (input: the
 * model version it serves now). Jobs are {@code experiments/<experiment>} and {@code deployments/<name>}
 * in the export's namespace; run ids are name-based UUIDs derived from Launchpad's ids, so exporting
 * twice gives the same ids. A dataset whose source is a URI is named after it the OpenLineage way
 * ({@code s3://bucket} + {@code path/file.csv}), so it meets the same dataset reported by other
 * producers; its digest is its version. A model version is the dataset {@code models:/name/version}.
 */
public final class OpenLineageExport {
    /** The schema every exported event declares. */
    public static final String RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    private static final String FACETS = "https://openlineage.io/spec/facets/";
    static final String PROCESSING_ENGINE = FACETS + "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet";
    static final String TAGS_RUN = FACETS + "1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet";
    static final String JOB_TYPE = FACETS + "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";
    static final String DOCUMENTATION_JOB = FACETS + "1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet";
    static final String DOCUMENTATION_DATASET =
            FACETS + "1-0-1/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet";
    static final String DATA_SOURCE = FACETS + "1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet";
    static final String SCHEMA = FACETS + "1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    static final String VERSION = FACETS + "1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet";
    /** The namespace jobs (and datasets without a URI) get unless asked otherwise. */
    public static final String DEFAULT_NAMESPACE = "launchpad";
    private static final int MAX_NAMESPACE_LENGTH = 256;

    private final String namespace;
    private final URI producer;
    private final String launchpadVersion;

    /**
     * @param namespace        the OpenLineage namespace of Launchpad's jobs (e.g. {@code launchpad}, or one per server)
     * @param producer         the URI naming the software that produced the events
     * @param launchpadVersion Launchpad's version, reported as the processing engine's
     */
    public OpenLineageExport(String namespace, URI producer, String launchpadVersion) {
        if (namespace == null || namespace.isBlank() || namespace.length() > MAX_NAMESPACE_LENGTH
                || namespace.chars().anyMatch(Character::isISOControl)) {
            throw LaunchpadException.invalid("Invalid OpenLineage namespace: it must be 1 to " + MAX_NAMESPACE_LENGTH
                    + " printable characters.");
        }
        this.namespace = namespace;
        this.producer = producer;
        this.launchpadVersion = launchpadVersion;
    }

    /** The stable OpenLineage run id of a Launchpad entity: a name-based (version 3) UUID of its kind and key. */
    public static UUID runUuid(String kind, String key) {
        return UUID.nameUUIDFromBytes(("launchpad:" + kind + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The events for a graph: training runs first (by start time), then deployments (by name). */
    public List<ObjectNode> events(LineageGraph graph) {
        var events = new ArrayList<ObjectNode>();
        graph.nodes(NodeType.RUN).stream()
                .sorted(Comparator.comparing((Node n) -> n.number("start_time").orElse(Long.MAX_VALUE))
                        .thenComparing(Node::id))
                .forEach(run -> events.add(trainingEvent(graph, run)));
        graph.nodes(NodeType.DEPLOYMENT).stream().sorted(Comparator.comparing(Node::id))
                .forEach(deployment -> events.add(deploymentEvent(graph, deployment)));
        return events;
    }

    private ObjectNode trainingEvent(LineageGraph graph, Node run) {
        var runId = run.string("run_id").orElseThrow();
        var outputs = graph.edgesFrom(run.id(), Relation.PRODUCED).stream()
                .map(e -> graph.node(e.to()).orElseThrow()).toList();
        var status = run.string("status").orElse(null);
        String eventType;
        Optional<Long> time;
        if (status == null) {
            // the run's row is gone, but it produced what was registered from it
            eventType = "COMPLETE";
            time = outputs.stream().flatMap(v -> v.number("creation_time").stream()).min(Long::compare);
        } else {
            eventType = switch (status) {
                case "FINISHED" -> "COMPLETE";
                case "FAILED" -> "FAIL";
                case "KILLED" -> "ABORT";
                default -> "START";
            };
            time = eventType.equals("START") ? run.number("start_time")
                    : run.number("end_time").or(() -> run.number("start_time"));
        }
        var experiment = run.string("experiment_name").or(() -> run.string("experiment_id"));
        var event = event(eventType, time.orElse(0L), runUuid("run", runId),
                experiment.map(e -> "experiments/" + e).orElse("runs/" + runId));
        var runFacets = (ObjectNode) event.get("run").get("facets");
        runFacets.set("tags", tags(
                "mlflow.run_id", runId,
                "mlflow.runName", run.string("run_name").orElse(null),
                "mlflow.experiment_id", run.string("experiment_id").orElse(null),
                "mlflow.user", run.string("user_id").orElse(null),
                "mlflow.source.git.commit", run.string("source_version").orElse(null),
                "launchpad.run_status", status == null ? "MISSING" : status));
        ((ObjectNode) event.get("job").get("facets")).set("jobType", jobType("BATCH", "TRAINING"));
        var inputs = (ArrayNode) event.get("inputs");
        graph.edgesInto(run.id(), Relation.CONSUMED_BY).stream()
                .map(e -> graph.node(e.from()).orElseThrow())
                .filter(n -> n.type() == NodeType.DATASET)
                .forEach(dataset -> inputs.add(dataset(dataset)));
        var outputNodes = (ArrayNode) event.get("outputs");
        outputs.forEach(version -> outputNodes.add(modelVersion(version)));
        return event;
    }

    private ObjectNode deploymentEvent(LineageGraph graph, Node deployment) {
        var name = deployment.string("name").orElseThrow();
        var served = deployment.string("model_name").orElse("") + "/" + deployment.string("serving_version").orElse("-");
        long since = deployment.number("last_updated_time").orElse(0L);
        // a new OpenLineage run whenever the deployment serves another version
        var event = event("START", since, runUuid("deployment", name + ":"
                + deployment.number("creation_time").orElse(0L) + ":" + served), "deployments/" + name);
        ((ObjectNode) event.get("run").get("facets")).set("tags", tags(
                "launchpad.deployment", name,
                "launchpad.model_uri", deployment.string("model_uri").orElse(null),
                "launchpad.serving_version", deployment.string("serving_version").orElse(null)));
        var jobFacets = (ObjectNode) event.get("job").get("facets");
        jobFacets.set("jobType", jobType("SERVICE", "DEPLOYMENT"));
        deployment.string("description").filter(d -> !d.isBlank()).ifPresent(d -> {
            var documentation = facet(DOCUMENTATION_JOB);
            documentation.put("description", d);
            jobFacets.set("documentation", documentation);
        });
        var inputs = (ArrayNode) event.get("inputs");
        graph.edgesInto(deployment.id(), Relation.DEPLOYED_AS).stream()
                .map(e -> graph.node(e.from()).orElseThrow())
                .forEach(version -> inputs.add(modelVersion(version)));
        return event;
    }

    private ObjectNode event(String eventType, long epochMillis, UUID runId, String jobName) {
        var event = Json.mapper().createObjectNode();
        event.put("eventType", eventType);
        event.put("eventTime", Instant.ofEpochMilli(epochMillis).toString());
        var run = event.putObject("run");
        run.put("runId", runId.toString());
        var engine = facet(PROCESSING_ENGINE);
        engine.put("version", launchpadVersion);
        engine.put("name", "Launchpad");
        run.putObject("facets").set("processing_engine", engine);
        var job = event.putObject("job");
        job.put("namespace", namespace);
        job.put("name", jobName);
        job.putObject("facets");
        event.putArray("inputs");
        event.putArray("outputs");
        event.put("producer", producer.toString());
        event.put("schemaURL", RUN_EVENT_SCHEMA);
        return event;
    }

    /** A logged dataset: named after its source URI when it has one, versioned by its digest. */
    private ObjectNode dataset(Node dataset) {
        var name = dataset.string("name").orElseThrow();
        var location = dataset.string("source").flatMap(OpenLineageExport::location);
        var node = Json.mapper().createObjectNode();
        if (location.isPresent()) {
            var uri = location.get();
            if (uri.getRawAuthority() != null) {
                node.put("namespace", uri.getScheme() + "://" + uri.getRawAuthority());
                var path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/+", "");
                node.put("name", path.isEmpty() ? name : path);
            } else {
                node.put("namespace", uri.getScheme());
                var path = uri.getPath() != null ? uri.getPath() : uri.getSchemeSpecificPart();
                node.put("name", path == null || path.isEmpty() ? name : path);
            }
        } else {
            node.put("namespace", namespace);
            node.put("name", name);
        }
        var facets = node.putObject("facets");
        dataset.string("digest").ifPresent(digest -> facets.set("version", version(digest)));
        var source = facet(DATA_SOURCE);
        source.put("name", dataset.string("source_type").orElse(location.map(URI::getScheme).orElse(name)));
        location.ifPresent(uri -> source.put("uri", uri.toString()));
        facets.set("dataSource", source);
        dataset.string("schema").flatMap(OpenLineageExport::schemaFields).ifPresent(fields -> {
            var schema = facet(SCHEMA);
            schema.set("fields", fields);
            facets.set("schema", schema);
        });
        return node;
    }

    /** A model version as the dataset {@code models:/name/version} in the export's namespace. */
    private ObjectNode modelVersion(Node version) {
        var uri = version.string("uri").orElseThrow();
        var node = Json.mapper().createObjectNode();
        node.put("namespace", namespace);
        node.put("name", uri);
        var facets = node.putObject("facets");
        facets.set("version", version(version.string("version").orElseThrow()));
        var source = facet(DATA_SOURCE);
        source.put("name", "launchpad-model-registry");
        source.put("uri", uri);
        facets.set("dataSource", source);
        version.string("description").filter(d -> !d.isBlank()).ifPresent(d -> {
            var documentation = facet(DOCUMENTATION_DATASET);
            documentation.put("description", d);
            facets.set("documentation", documentation);
        });
        return node;
    }

    private ObjectNode version(String datasetVersion) {
        var facet = facet(VERSION);
        facet.put("datasetVersion", datasetVersion);
        return facet;
    }

    private ObjectNode jobType(String processingType, String jobType) {
        var facet = facet(JOB_TYPE);
        facet.put("processingType", processingType);
        facet.put("integration", "LAUNCHPAD");
        facet.put("jobType", jobType);
        return facet;
    }

    private ObjectNode tags(String... keysAndValues) {
        var facet = facet(TAGS_RUN);
        var tags = facet.putArray("tags");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                tags.addObject().put("key", keysAndValues[i]).put("value", keysAndValues[i + 1])
                        .put("source", "LAUNCHPAD");
            }
        }
        return facet;
    }

    private ObjectNode facet(String schemaUrl) {
        var facet = Json.mapper().createObjectNode();
        facet.put("_producer", producer.toString());
        facet.put("_schemaURL", schemaUrl);
        return facet;
    }

    /**
     * Where a dataset lives, from its recorded source: MLflow stores the source as JSON
     * ({@code {"uri": ...}}, {@code {"url": ...}} or {@code {"path": ...}}), older clients a bare URI.
     * Only absolute URIs count; anything else (code, a bare table name) has no location.
     */
    static Optional<URI> location(String source) {
        String candidate = source.strip();
        if (candidate.startsWith("{")) {
            JsonNode json;
            try {
                json = Json.mapper().readTree(candidate);
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
            candidate = null;
            for (var field : new String[] {"uri", "url", "path"}) {
                if (json.path(field).isTextual()) {
                    candidate = json.path(field).textValue();
                    break;
                }
            }
            if (candidate == null) {
                return Optional.empty();
            }
        }
        try {
            var uri = new URI(candidate);
            return uri.isAbsolute() && uri.getScheme().length() > 1 ? Optional.of(uri) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The fields of an MLflow column schema ({@code {"mlflow_colspec": [{"name","type"}...]}}), if it is one. */
    static Optional<ArrayNode> schemaFields(String schema) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(schema);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        var columns = json == null ? null : json.get("mlflow_colspec");
        if (columns == null || !columns.isArray()) {
            return Optional.empty();
        }
        var fields = Json.mapper().createArrayNode();
        for (var column : columns) {
            if (column.path("name").isTextual()) {
                var field = fields.addObject().put("name", column.path("name").textValue());
                if (column.path("type").isTextual()) {
                    field.put("type", column.path("type").textValue());
                }
            }
        }
        return fields.isEmpty() ? Optional.empty() : Optional.of(fields);
    }
}
