package dev.launchpad.server.mlflow;

import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.AuthFilter;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
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
    private final Authorizer authorizer;

    public MlflowRegistryApi(RegistryService registry, Authorizer authorizer) {
        this.registry = registry;
        this.authorizer = authorizer;
    }

    public List<ApiRoute> routes() {
        var routes = new RouteBuilder();
        for (var prefix : MlflowTrackingApi.PREFIXES) {
            var models = prefix + "registered-models/";
            routes.post(models + "create", Access.role(Role.EDITOR), r -> {
                var model = registry.createRegisteredModel(r.requiredString("name"), r.string("description"),
                        MlflowJson.parseTags(r.objectList("tags")));
                authorizer.grantCreator(r.context(), ResourceType.REGISTERED_MODEL, model.name());
                return MlflowJson.body("registered_model", MlflowJson.registeredModel(model));
            });
            routes.get(models + "get", Access.read(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), r -> MlflowJson.body("registered_model",
                    MlflowJson.registeredModel(registry.getRegisteredModel(r.requiredString("name")))));
            routes.post(models + "rename", Access.manage(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")).withBefore(), r -> {
                var renamed = registry.renameRegisteredModel(r.requiredString("name"), r.requiredString("new_name"));
                authorizer.permissions().rename(ResourceType.REGISTERED_MODEL, r.requiredString("name"), renamed.name());
                return MlflowJson.body("registered_model", MlflowJson.registeredModel(renamed));
            });
            routes.patch(models + "update", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")).withBefore(), r -> MlflowJson.body("registered_model", MlflowJson.registeredModel(
                    registry.updateRegisteredModel(r.requiredString("name"), r.string("description")))));
            routes.delete(models + "delete", Access.manage(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")).withBefore(), r -> {
                registry.deleteRegisteredModel(r.requiredString("name"));
                authorizer.permissions().forget(ResourceType.REGISTERED_MODEL, r.requiredString("name"));
                return MlflowJson.object();
            });
            routes.get(models + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchModels);
            routes.post(models + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchModels);
            routes.get(models + "get-latest-versions", Access.read(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), this::latestVersions);
            routes.post(models + "get-latest-versions", Access.read(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), this::latestVersions);
            routes.post(models + "set-tag", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), r -> {
                registry.setRegisteredModelTag(r.requiredString("name"), r.requiredString("key"),
                        MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(models + "delete-tag", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), r -> {
                registry.deleteRegisteredModelTag(r.requiredString("name"), r.requiredString("key"));
                return MlflowJson.object();
            });
            routes.post(models + "alias", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")).withBefore(), r -> {
                registry.setAlias(r.requiredString("name"), r.requiredString("alias"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.delete(models + "alias", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")).withBefore(), r -> {
                registry.deleteAlias(r.requiredString("name"), r.requiredString("alias"));
                return MlflowJson.object();
            });
            routes.get(models + "alias", Access.read(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getByAlias(r.requiredString("name"), r.requiredString("alias")))));

            var versions = prefix + "model-versions/";
            routes.post(versions + "create", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "name")), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.createModelVersion(r.requiredString("name"), r.requiredString("source"),
                            r.string("run_id"), MlflowJson.parseTags(r.objectList("tags")), r.string("run_link"),
                            r.string("description"), registeringUser(r)))));
            routes.get(versions + "get", Access.read(Locator.modelVersionParams()), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getModelVersion(r.requiredString("name"), r.requiredString("version")))));
            routes.patch(versions + "update", Access.edit(Locator.modelVersionParams()).withBefore(), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.updateModelVersion(r.requiredString("name"), r.requiredString("version"),
                            r.string("description")))));
            routes.delete(versions + "delete", Access.manage(Locator.modelVersionParams()).withBefore(), r -> {
                registry.deleteModelVersion(r.requiredString("name"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.get(versions + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchVersions);
            routes.post(versions + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchVersions);
            routes.get(versions + "get-download-uri", Access.read(Locator.modelVersionParams()), r -> MlflowJson.body("artifact_uri",
                    registry.getDownloadUri(r.requiredString("name"), r.requiredString("version"))));
            routes.post(versions + "transition-stage", Access.edit(Locator.modelVersionParams()).withBefore(), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.transitionStage(r.requiredString("name"), r.requiredString("version"),
                            r.requiredString("stage"), archiveExisting(r)))));
            routes.post(versions + "set-tag", Access.edit(Locator.modelVersionParams()), r -> {
                registry.setModelVersionTag(r.requiredString("name"), r.requiredString("version"),
                        r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(versions + "delete-tag", Access.edit(Locator.modelVersionParams()), r -> {
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
        var readable = authorizer.readable(r.context(), ResourceType.REGISTERED_MODEL);
        page.items().stream().filter(m -> readable.test(m.name())).forEach(m -> list.add(MlflowJson.registeredModel(m)));
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
        var readable = authorizer.readable(r.context(), ResourceType.REGISTERED_MODEL);
        page.items().stream().filter(v -> readable.test(v.name())).forEach(v -> list.add(MlflowJson.modelVersion(v)));
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

    /**
     * Who registers a version: the authenticated user when there is one (what four-eyes approvals rely
     * on, so a client cannot name someone else), else what the client says.
     */
    private static String registeringUser(ApiRequest r) {
        var user = AuthFilter.user(r.context());
        return user != null ? user.name() : r.string("user_id");
    }

    /** archive_existing_versions: a JSON boolean, or "true"/"false" in a query string. */
    private static boolean archiveExisting(ApiRequest r) {
        return r.optionalBoolean("archive_existing_versions");
    }
}
