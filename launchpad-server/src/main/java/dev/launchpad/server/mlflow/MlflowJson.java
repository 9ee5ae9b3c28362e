package dev.launchpad.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.tracking.DatasetInput;
import dev.launchpad.platform.tracking.Experiment;
import dev.launchpad.platform.tracking.Metric;
import dev.launchpad.platform.tracking.Param;
import dev.launchpad.platform.tracking.Run;
import dev.launchpad.platform.tracking.RunInfo;
import dev.launchpad.platform.tracking.Tag;

import dev.launchpad.server.http.ApiRequest;

import java.util.ArrayList;
import java.util.List;

/** Tracking entities in MLflow's REST JSON shape (snake_case fields as in MLflow's protos). */
public final class MlflowJson {
    private MlflowJson() {
    }

    static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }

    public static ObjectNode experiment(Experiment e) {
        var node = object();
        node.put("experiment_id", e.experimentId());
        node.put("name", e.name());
        node.put("artifact_location", e.artifactLocation());
        node.put("lifecycle_stage", e.lifecycleStage().dbName());
        node.put("last_update_time", e.lastUpdateTime());
        node.put("creation_time", e.creationTime());
        node.set("tags", tags(e.tags()));
        return node;
    }

    public static ObjectNode runInfo(RunInfo info) {
        var node = object();
        node.put("run_id", info.runId());
        node.put("run_uuid", info.runId());
        node.put("run_name", info.runName());
        node.put("experiment_id", info.experimentId());
        node.put("user_id", info.userId());
        node.put("status", info.status().name());
        if (info.startTime() != null) {
            node.put("start_time", info.startTime());
        }
        if (info.endTime() != null) {
            node.put("end_time", info.endTime());
        }
        node.put("artifact_uri", info.artifactUri());
        node.put("lifecycle_stage", info.lifecycleStage().dbName());
        return node;
    }

    static ObjectNode run(Run run) {
        var node = object();
        node.set("info", runInfo(run.info()));
        var data = object();
        data.set("metrics", metrics(run.metrics()));
        var params = data.putArray("params");
        for (Param p : run.params()) {
            params.addObject().put("key", p.key()).put("value", p.value());
        }
        data.set("tags", tags(run.tags()));
        node.set("data", data);
        var inputs = object();
        var datasetInputs = inputs.putArray("dataset_inputs");
        for (DatasetInput input : run.inputs()) {
            var item = datasetInputs.addObject();
            item.set("tags", tags(input.tags()));
            var dataset = item.putObject("dataset");
            dataset.put("name", input.dataset().name());
            dataset.put("digest", input.dataset().digest());
            dataset.put("source_type", input.dataset().sourceType());
            dataset.put("source", input.dataset().source());
            if (input.dataset().schema() != null) {
                dataset.put("schema", input.dataset().schema());
            }
            if (input.dataset().profile() != null) {
                dataset.put("profile", input.dataset().profile());
            }
        }
        node.set("inputs", inputs);
        return node;
    }

    static ArrayNode metrics(List<Metric> metrics) {
        var array = Json.mapper().createArrayNode();
        for (var m : metrics) {
            array.addObject().put("key", m.key()).put("value", m.value()).put("timestamp", m.timestamp())
                    .put("step", m.step());
        }
        return array;
    }

    static ArrayNode tags(List<Tag> tags) {
        var array = Json.mapper().createArrayNode();
        for (var t : tags) {
            array.addObject().put("key", t.key()).put("value", t.value());
        }
        return array;
    }

    static List<Tag> parseTags(List<ApiRequest> items) {
        var tags = new ArrayList<Tag>();
        for (var t : items) {
            tags.add(new Tag(t.requiredString("key"), requiredValue(t)));
        }
        return tags;
    }

    /** A "value" field that must be present but may be the empty string. */
    static String requiredValue(ApiRequest r) {
        var value = r.string("value");
        if (value == null) {
            throw ApiRequest.missing("value");
        }
        return value;
    }

    public static ObjectNode registeredModel(dev.launchpad.platform.registry.RegisteredModel m) {
        var node = object();
        node.put("name", m.name());
        node.put("creation_timestamp", m.creationTime());
        node.put("last_updated_timestamp", m.lastUpdatedTime());
        if (m.description() != null) {
            node.put("description", m.description());
        }
        var latest = node.putArray("latest_versions");
        m.latestVersions().forEach(v -> latest.add(modelVersion(v)));
        node.set("tags", tags(m.tags()));
        var aliases = node.putArray("aliases");
        m.aliases().forEach(a -> aliases.addObject().put("alias", a.alias()).put("version", Integer.toString(a.version())));
        return node;
    }

    public static ObjectNode modelVersion(dev.launchpad.platform.registry.ModelVersion v) {
        var node = object();
        node.put("name", v.name());
        node.put("version", Integer.toString(v.version()));
        node.put("creation_timestamp", v.creationTime());
        node.put("last_updated_timestamp", v.lastUpdatedTime());
        node.put("user_id", v.userId());
        node.put("current_stage", v.stage().label());
        if (v.description() != null) {
            node.put("description", v.description());
        }
        node.put("source", v.source());
        if (v.runId() != null) {
            node.put("run_id", v.runId());
        }
        if (v.runLink() != null) {
            node.put("run_link", v.runLink());
        }
        node.put("status", v.status());
        if (v.statusMessage() != null) {
            node.put("status_message", v.statusMessage());
        }
        node.set("tags", tags(v.tags()));
        var aliases = node.putArray("aliases");
        v.aliases().forEach(aliases::add);
        return node;
    }

    static ObjectNode body(String field, Object value) {
        var node = MlflowJson.object();
        node.set(field, Json.mapper().valueToTree(value));
        return node;
    }
}
