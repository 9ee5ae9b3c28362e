package dev.launchpad.server.mlflow;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.tracking.Dataset;
import dev.launchpad.platform.tracking.DatasetInput;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.Metric;
import dev.launchpad.platform.tracking.Param;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.platform.tracking.Tag;
import dev.launchpad.platform.tracking.ViewType;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.List;

import static dev.launchpad.server.http.HttpServer.json;

/**
 * MLflow's tracking REST API 2.0 (experiments, runs, metrics, params, tags, inputs, search) under
 * {@code /api/2.0/mlflow} and {@code /ajax-api/2.0/mlflow}, so that MLflow clients work unchanged.
 */
public final class MlflowTrackingApi {
    public static final List<String> PREFIXES = List.of("/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/");

    private final ExperimentService experiments;
    private final RunService runs;
    private final Authorizer authorizer;

    public MlflowTrackingApi(ExperimentService experiments, RunService runs, Authorizer authorizer) {
        this.experiments = experiments;
        this.runs = runs;
        this.authorizer = authorizer;
    }

    /** Every route of the API, once per prefix. */
    public List<ApiRoute> routes() {
        var routes = new RouteBuilder();
        for (var prefix : PREFIXES) {
            routes.post(prefix + "experiments/create", Access.role(Role.EDITOR), this::createExperiment);
            routes.get(prefix + "experiments/search", Access.filtered(ResourceType.EXPERIMENT), this::searchExperiments);
            routes.post(prefix + "experiments/search", Access.filtered(ResourceType.EXPERIMENT), this::searchExperiments);
            routes.get(prefix + "experiments/get", Access.read(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")), r -> MlflowJson.body("experiment",
                    MlflowJson.experiment(experiments.get(r.requiredString("experiment_id")))));
            routes.get(prefix + "experiments/get-by-name", Access.filtered(ResourceType.EXPERIMENT), r -> {
                var experiment = experiments.getByName(r.requiredString("experiment_name"));
                authorizer.require(r.context(), ResourceType.EXPERIMENT, List.of(experiment.experimentId()),
                        Permission.READ);
                return MlflowJson.body("experiment", MlflowJson.experiment(experiment));
            });
            routes.post(prefix + "experiments/delete", Access.manage(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")).withBefore(), r -> {
                experiments.delete(r.requiredString("experiment_id"));
                return MlflowJson.object();
            });
            routes.post(prefix + "experiments/restore", Access.manage(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")).withBefore(), r -> {
                experiments.restore(r.requiredString("experiment_id"));
                return MlflowJson.object();
            });
            routes.post(prefix + "experiments/update", Access.edit(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")).withBefore(), r -> {
                experiments.rename(r.requiredString("experiment_id"), r.requiredString("new_name"));
                return MlflowJson.object();
            });
            routes.post(prefix + "experiments/set-experiment-tag", Access.edit(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")), r -> {
                experiments.setTag(r.requiredString("experiment_id"), r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "experiments/delete-experiment-tag", Access.edit(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id")), r -> {
                experiments.deleteTag(r.requiredString("experiment_id"), r.requiredString("key"));
                return MlflowJson.object();
            });

            routes.post(prefix + "runs/create", Access.edit(Locator.param(Subject.Kind.EXPERIMENT, "experiment_id", "0")),
                    this::createRun);
            routes.get(prefix + "runs/get", Access.read(Locator.run()), r -> MlflowJson.body("run", MlflowJson.run(runs.get(runId(r)))));
            routes.post(prefix + "runs/update", Access.edit(Locator.run()).withBefore(), r -> MlflowJson.body("run_info", MlflowJson.runInfo(runs.update(runId(r),
                    r.string("status"), r.optionalLong("end_time"), r.string("run_name")))));
            routes.post(prefix + "runs/delete", Access.edit(Locator.run()).withBefore(), r -> {
                runs.delete(runId(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/restore", Access.edit(Locator.run()).withBefore(), r -> {
                runs.restore(runId(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/set-tag", Access.edit(Locator.run()), r -> {
                runs.setTag(runId(r), r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/delete-tag", Access.edit(Locator.run()), r -> {
                runs.deleteTag(runId(r), r.requiredString("key"));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/log-parameter", Access.edit(Locator.run()), r -> {
                runs.logParam(runId(r), r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/log-metric", Access.edit(Locator.run()), r -> {
                runs.logMetric(runId(r), metric(r));
                return MlflowJson.object();
            });
            routes.post(prefix + "runs/log-batch", Access.edit(Locator.run()), this::logBatch);
            routes.post(prefix + "runs/log-inputs", Access.edit(Locator.run()), this::logInputs);
            routes.post(prefix + "runs/log-model", Access.edit(Locator.run()), this::logModel);
            routes.post(prefix + "runs/search", Access.filtered(ResourceType.EXPERIMENT), this::searchRuns);
            routes.raw(new ApiRoute(HandlerType.GET, prefix + "metrics/get-history", ctx -> json(ctx,
                    metricHistory(ApiRequest.of(ctx), isJavaClient(ctx))), Access.read(Locator.run())));
        }
        return routes.build();
    }

    private Object createExperiment(ApiRequest r) {
        var tags = MlflowJson.parseTags(r.objectList("tags"));
        var id = experiments.create(r.requiredString("name"), r.string("artifact_location"), tags);
        authorizer.grantCreator(r.context(), ResourceType.EXPERIMENT, id);
        return MlflowJson.body("experiment_id", id);
    }

    private Object searchExperiments(ApiRequest r) {
        var page = experiments.search(ViewType.parse(r.string("view_type")), r.string("filter"),
                r.stringList("order_by"), r.optionalInt("max_results"), r.string("page_token"));
        var node = MlflowJson.object();
        var list = node.putArray("experiments");
        var readable = authorizer.readable(r.context(), ResourceType.EXPERIMENT);
        page.items().stream().filter(e -> readable.test(e.experimentId()))
                .forEach(e -> list.add(MlflowJson.experiment(e)));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    private Object createRun(ApiRequest r) {
        var run = runs.create(r.string("experiment_id"), r.string("user_id"), r.string("run_name"),
                r.optionalLong("start_time"), MlflowJson.parseTags(r.objectList("tags")));
        return MlflowJson.body("run", MlflowJson.run(run));
    }

    private Object logBatch(ApiRequest r) {
        var metrics = new ArrayList<Metric>();
        for (var m : r.objectList("metrics")) {
            metrics.add(metric(m));
        }
        var params = new ArrayList<Param>();
        for (var p : r.objectList("params")) {
            params.add(new Param(p.requiredString("key"), MlflowJson.requiredValue(p)));
        }
        runs.logBatch(runId(r), metrics, params, MlflowJson.parseTags(r.objectList("tags")));
        return MlflowJson.object();
    }

    private Object logInputs(ApiRequest r) {
        var inputs = new ArrayList<DatasetInput>();
        for (var item : r.objectList("datasets")) {
            var d = item.object("dataset");
            if (d == null) {
                throw ApiRequest.missing("dataset");
            }
            var dataset = new Dataset(d.requiredString("name"), d.requiredString("digest"),
                    d.requiredString("source_type"), d.requiredString("source"), d.string("schema"),
                    d.string("profile"));
            inputs.add(new DatasetInput(MlflowJson.parseTags(item.objectList("tags")), dataset));
        }
        runs.logInputs(runId(r), inputs);
        return MlflowJson.object();
    }

    /** Appends the logged model's description to the run's mlflow.log-model.history tag, as MLflow does. */
    private Object logModel(ApiRequest r) {
        var runId = runId(r);
        var modelJson = r.requiredString("model_json");
        try {
            var model = Json.mapper().readTree(modelJson);
            var run = runs.get(runId);
            var history = Json.mapper().createArrayNode();
            for (var tag : run.tags()) {
                if (tag.key().equals("mlflow.log-model.history")) {
                    var existing = Json.mapper().readTree(tag.value());
                    if (existing.isArray()) {
                        history.addAll((com.fasterxml.jackson.databind.node.ArrayNode) existing);
                    }
                }
            }
            history.add(model);
            runs.setTag(runId, "mlflow.log-model.history", Json.mapper().writeValueAsString(history));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw LaunchpadException.invalid("Invalid value for parameter 'model_json': it is not valid JSON.");
        }
        return MlflowJson.object();
    }

    private Object searchRuns(ApiRequest r) {
        authorizer.require(r.context(), ResourceType.EXPERIMENT, r.stringList("experiment_ids"), Permission.READ);
        var page = runs.search(r.stringList("experiment_ids"), r.string("filter"),
                ViewType.parse(r.string("run_view_type")), r.optionalInt("max_results"), r.stringList("order_by"),
                r.string("page_token"));
        var node = MlflowJson.object();
        var list = node.putArray("runs");
        page.items().forEach(run -> list.add(MlflowJson.run(run)));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    /**
     * Metric history, paged when the caller asks with max_results/page_token. The MLflow Java client
     * (2.x) asks for pages of 25 000 but cannot append a second page (it adds to an immutable list),
     * so it is answered, as MLflow's own SQL-backed server answers everyone, with the whole history.
     */
    private Object metricHistory(ApiRequest r, boolean wholeHistory) {
        var page = runs.metricHistory(runId(r), r.requiredString("metric_key"),
                wholeHistory ? null : r.optionalInt("max_results"), wholeHistory ? null : r.string("page_token"));
        var node = MlflowJson.object();
        node.set("metrics", MlflowJson.metrics(page.items()));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    private static boolean isJavaClient(Context ctx) {
        var agent = ctx.header("User-Agent");
        return agent != null && agent.startsWith("mlflow-java-client");
    }

    private static Metric metric(ApiRequest r) {
        var step = r.optionalLong("step");
        return new Metric(r.requiredString("key"), r.requiredDouble("value"), r.requiredLong("timestamp"),
                step == null ? 0 : step);
    }

    private static String runId(ApiRequest r) {
        return r.requiredString("run_id", "run_uuid");
    }




}
