package dev.launchpad.server.mlflow;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.approval.ApprovalService;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.tracking.RunService;
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
    private final ApprovalService approvals;
    private final RunService runs;

    public MlflowRegistryApi(RegistryService registry, Authorizer authorizer, ApprovalService approvals,
                             RunService runs) {
        this.registry = registry;
        this.authorizer = authorizer;
        this.approvals = approvals;
        this.runs = runs;
    }

    public List<ApiRoute> routes() {
        var routes = new RouteBuilder();
        var byName = Locator.param(Subject.Kind.REGISTERED_MODEL, "name");
        var byVersion = Locator.modelVersionParams();
        for (var prefix : MlflowTrackingApi.PREFIXES) {
            var models = prefix + "registered-models/";
            routes.post(models + "create", Access.role(Role.EDITOR), r -> {
                var model = registry.createRegisteredModel(r.requiredString("name"), r.string("description"),
                        MlflowJson.parseTags(r.objectList("tags")));
                authorizer.grantCreator(r.context(), ResourceType.REGISTERED_MODEL, model.name());
                return MlflowJson.body("registered_model", MlflowJson.registeredModel(model));
            });
            routes.get(models + "get", Access.read(byName), r -> MlflowJson.body("registered_model",
                    MlflowJson.registeredModel(registry.getRegisteredModel(r.requiredString("name")))));
            routes.post(models + "rename", Access.manage(byName).withBefore(), r -> {
                requireAdminIfGoverned(r);
                var renamed = registry.renameRegisteredModel(r.requiredString("name"), r.requiredString("new_name"));
                authorizer.permissions().rename(ResourceType.REGISTERED_MODEL, r.requiredString("name"), renamed.name());
                return MlflowJson.body("registered_model", MlflowJson.registeredModel(renamed));
            });
            routes.patch(models + "update", Access.edit(byName).withBefore(), r -> MlflowJson.body("registered_model", MlflowJson.registeredModel(
                    registry.updateRegisteredModel(r.requiredString("name"), r.string("description")))));
            routes.delete(models + "delete", Access.manage(byName).withBefore(), r -> {
                requireAdminIfGoverned(r);
                registry.deleteRegisteredModel(r.requiredString("name"));
                authorizer.permissions().forget(ResourceType.REGISTERED_MODEL, r.requiredString("name"));
                return MlflowJson.object();
            });
            routes.get(models + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchModels);
            routes.post(models + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchModels);
            routes.get(models + "get-latest-versions", Access.read(byName), this::latestVersions);
            routes.post(models + "get-latest-versions", Access.read(byName), this::latestVersions);
            routes.post(models + "set-tag", Access.edit(byName), r -> {
                registry.setRegisteredModelTag(r.requiredString("name"), r.requiredString("key"),
                        MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(models + "delete-tag", Access.edit(byName), r -> {
                registry.deleteRegisteredModelTag(r.requiredString("name"), r.requiredString("key"));
                return MlflowJson.object();
            });
            routes.post(models + "alias", Access.edit(byName).withBefore(), r -> {
                requireApproverForProtected(r, r.requiredString("alias"));
                registry.setAlias(r.requiredString("name"), r.requiredString("alias"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.delete(models + "alias", Access.edit(byName).withBefore(), r -> {
                requireApproverForProtected(r, r.requiredString("alias"));
                registry.deleteAlias(r.requiredString("name"), r.requiredString("alias"));
                return MlflowJson.object();
            });
            routes.get(models + "alias", Access.read(byName), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getByAlias(r.requiredString("name"), r.requiredString("alias")))));

            var versions = prefix + "model-versions/";
            routes.post(versions + "create", Access.edit(byName), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    createVersion(r))));
            routes.get(versions + "get", Access.read(byVersion), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.getModelVersion(r.requiredString("name"), r.requiredString("version")))));
            routes.patch(versions + "update", Access.edit(byVersion).withBefore(), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.updateModelVersion(r.requiredString("name"), r.requiredString("version"),
                            r.string("description")))));
            routes.delete(versions + "delete", Access.manage(byVersion).withBefore(), r -> {
                registry.deleteModelVersion(r.requiredString("name"), r.requiredString("version"));
                return MlflowJson.object();
            });
            routes.get(versions + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchVersions);
            routes.post(versions + "search", Access.filtered(ResourceType.REGISTERED_MODEL), this::searchVersions);
            routes.get(versions + "get-download-uri", Access.read(byVersion), r -> MlflowJson.body("artifact_uri",
                    registry.getDownloadUri(r.requiredString("name"), r.requiredString("version"))));
            routes.post(versions + "transition-stage", Access.edit(byVersion).withBefore(), r -> MlflowJson.body("model_version", MlflowJson.modelVersion(
                    registry.transitionStage(r.requiredString("name"), r.requiredString("version"),
                            r.requiredString("stage"), archiveExisting(r)))));
            routes.post(versions + "set-tag", Access.edit(byVersion), r -> {
                registry.setModelVersionTag(r.requiredString("name"), r.requiredString("version"),
                        r.requiredString("key"), MlflowJson.requiredValue(r));
                return MlflowJson.object();
            });
            routes.delete(versions + "delete-tag", Access.edit(byVersion), r -> {
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
     * Registers a version, after checking that the caller may READ what it is made from: the source run's
     * experiment, and the model a {@code models:/} source names (EDIT on the target model is checked
     * before).
     */
    private dev.launchpad.platform.registry.ModelVersion createVersion(ApiRequest r) {
        var source = r.requiredString("source");
        var runId = r.string("run_id");
        if ((runId == null || runId.isEmpty()) && source.startsWith("runs:/")) {
            var rest = source.substring("runs:/".length());
            runId = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        }
        if (runId != null && !runId.isEmpty()) {
            var experiment = runs.experimentOf(runId);
            if (experiment.isPresent()) {
                authorizer.require(r.context(), ResourceType.EXPERIMENT, List.of(experiment.get()), Permission.READ);
            }
        }
        if (dev.launchpad.platform.registry.ModelUri.isModelUri(source)) {
            authorizer.require(r.context(), ResourceType.REGISTERED_MODEL,
                    List.of(dev.launchpad.platform.registry.ModelUri.parse(source).name()), Permission.READ);
        }
        return registry.createModelVersion(r.requiredString("name"), source, r.string("run_id"),
                MlflowJson.parseTags(r.objectList("tags")), r.string("run_link"), r.string("description"),
                registeringUser(r));
    }

    /** Protected aliases (champion, production) are moved or removed by approvers only. */
    private void requireApproverForProtected(ApiRequest r, String alias) {
        var user = AuthFilter.user(r.context());
        if (user != null && approvals.isProtected(alias) && !user.role().includes(Role.APPROVER)) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "Alias '" + alias + "' is protected: only"
                    + " approvers move or remove it; '" + user.name() + "' has role " + user.role().label() + ".");
        }
    }

    /**
     * A model under governance (an approval policy, or a protected alias) is renamed or deleted by
     * admins only: otherwise its owner could step out of its gates by renaming it away and starting a
     * fresh model under the old name.
     */
    private void requireAdminIfGoverned(ApiRequest r) {
        var user = AuthFilter.user(r.context());
        if (user == null || user.role() == Role.ADMIN) {
            return;
        }
        var name = r.requiredString("name");
        var model = registry.getRegisteredModel(name);
        boolean governed = approvals.policy(name).hasGates()
                || model.aliases().stream().anyMatch(a -> approvals.isProtected(a.alias()));
        if (governed) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "Registered model '" + name + "' has an approval"
                    + " policy or a protected alias; only admins rename or delete it.");
        }
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
