package dev.launchpad.server.mlflow;

import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;

import java.util.List;

/**
 * MLflow's model registry REST API 2.0: registered models, model versions, (legacy) stages,
 * aliases and tags, under the same prefixes as the tracking API.
 */
public final class MlflowRegistryApi {
    private final RegistryService registry;

    public MlflowRegistryApi(RegistryService registry) {
        this.registry = registry;
    }

    public List<ApiRoute> routes() {
        var routes = new RouteBuilder();
        for (var prefix : MlflowTrackingApi.PREFIXES) {
            var models = prefix + "registered-models/";
            routes.post(models + "create", r -> MlflowJson.body("registered_model", MlflowJson.registeredModel(
                    registry.createRegisteredModel(r.requiredString("name"), r.string("description"),
                            MlflowJson.parseTags(r.objectList("tags"))))));
            routes.get(models + "get", r -> MlflowJson.body("registered_model",
                    MlflowJson.registeredModel(registry.getRegisteredModel(r.requiredString("name")))));
            routes.post(models + "rename", r -> MlflowJson.body("registered_model", MlflowJson.registeredModel(
                    registry.renameRegisteredModel(r.requiredString("name"), r.requiredString("new_name")))));
            routes.patch(models + "update", r -> MlflowJson.body("registered_model", MlflowJson.registeredModel(
                    registry.updateRegisteredModel(r.requiredString("name"), r.string("description")))));
            routes.delete(models + "delete", r -> {
                registry.deleteRegisteredModel(r.requiredString("name"));
                return MlflowJson.object();
            });
            routes.get(models + "search", this::searchModels);
            routes.post(models + "search", this::searchModels);
            routes.get(models + "get-latest-versions", this::latestVersions);
            routes.post(models + "get-latest-versions", this::latestVersions);
            routes.post(models + "set-tag", r -> {
                registry.setRegisteredModelTag(r.requiredString("name"), r.requiredString("key"),
                        MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(models + "delete-tag", r -> {
                registry.deleteRegisteredModelTag(r.requiredString("name"), r.requiredString("key"));
                return MlflowJson.object();
            });
            routes.post(models + "alias", r -> {
                registry.setAlias(r.requiredString("name"), r.requiredString("alias"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.delete(models + "alias", r -> {
                registry.deleteAlias(r.requiredString("name"), r.requiredString("alias"));
                return MlflowJson.object();
            });
            routes.get(models + "alias", r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getByAlias(r.requiredString("name"), r.requiredString("alias")))));

            var versions = prefix + "model-versions/";
            routes.post(versions + "create", r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.createModelVersion(r.requiredString("name"), r.requiredString("source"),
                            r.string("run_id"), MlflowJson.parseTags(r.objectList("tags")), r.string("run_link"),
                            r.string("description"), r.string("user_id")))));
            routes.get(versions + "get", r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getModelVersion(r.requiredString("name"), r.requiredString("version")))));
            routes.patch(versions + "update", r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.updateModelVersion(r.requiredString("name"), r.requiredString("version"),
                            r.string("description")))));
            routes.delete(versions + "delete", r -> {
                registry.deleteModelVersion(r.requiredString("name"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.get(versions + "search", this::searchVersions);
            routes.post(versions + "search", this::searchVersions);
            routes.get(versions + "get-download-uri", r -> MlflowJson.body("artifact_uri",
                    registry.getDownloadUri(r.requiredString("name"), r.requiredString("version"))));
            routes.post(versions + "transition-stage", r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.transitionStage(r.requiredString("name"), r.requiredString("version"),
                            r.requiredString("stage"), archiveExisting(r)))));
            routes.post(versions + "set-tag", r -> {
                registry.setModelVersionTag(r.requiredString("name"), r.requiredString("version"),
                        r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(versions + "delete-tag", r -> {
                registry.deleteModelVersionTag(r.requiredString("name"), r.requiredString("version"),
                        r.requiredString("key"));
                return MlflowJson.object();
            });
        }
        return routes.build();
    }

    private Object searchModels(ApiRequest r) {
        var page = registry.searchRegisteredModels(r.string("filter"), r.optionalInt("max_results"),
                r.stringList("order_by"), r.string("page_token"));
        var node = MlflowJson.object();
        var list = node.putArray("registered_models");
        page.items().forEach(m -> list.add(MlflowJson.registeredModel(m)));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    private Object searchVersions(ApiRequest r) {
        var page = registry.searchModelVersions(r.string("filter"), r.optionalInt("max_results"),
                r.stringList("order_by"), r.string("page_token"));
        var node = MlflowJson.object();
        var list = node.putArray("model_versions");
        page.items().forEach(v -> list.add(MlflowJson.modelVersion(v)));
        if (page.nextPageToken() != null) {
            node.put("next_page_token", page.nextPageToken());
        }
        return node;
    }

    private Object latestVersions(ApiRequest r) {
        var node = MlflowJson.object();
        var list = node.putArray("model_versions");
        registry.getLatestVersions(r.requiredString("name"), r.stringList("stages"))
                .forEach(v -> list.add(MlflowJson.modelVersion(v)));
        return node;
    }

    /** archive_existing_versions: a JSON boolean, or "true"/"false" in a query string. */
    private static boolean archiveExisting(ApiRequest r) {
        return r.optionalBoolean("archive_existing_versions");
    }
}
