package dev.launchpad.server.auth;

import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.ResourcePermission;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;
import dev.launchpad.server.mlflow.MlflowTrackingApi;

import java.util.List;
import java.util.Map;

/**
 * Per-resource permissions over HTTP, at the paths of MLflow's authentication app
 * ({@code experiments/permissions/create|get|update|delete} with {@code experiment_id} and
 * {@code username}; {@code registered-models/permissions/...} with {@code name}), plus listings:
 * who holds what on a resource ({@code /api/v1/experiments/{id}/permissions},
 * {@code /api/v1/models/{name}/permissions}) and what one user holds ({@code /api/v1/users/{name}/permissions}).
 * Granting needs MANAGE on the resource.
 */
public final class PermissionsApi {
    private final Authorizer authorizer;
    private final ExperimentService experiments;
    private final RegistryService registry;

    public PermissionsApi(Authorizer authorizer, ExperimentService experiments, RegistryService registry) {
        this.authorizer = authorizer;
        this.experiments = experiments;
        this.registry = registry;
    }

    public List<ApiRoute> routes() {
        var routes = new RouteBuilder();
        var experiment = Locator.param(Subject.Kind.EXPERIMENT, "experiment_id");
        var model = Locator.param(Subject.Kind.REGISTERED_MODEL, "name");
        for (var prefix : MlflowTrackingApi.PREFIXES) {
            resource(routes, prefix + "experiments/permissions/", ResourceType.EXPERIMENT, "experiment_id",
                    "experiment_permission", experiment);
            resource(routes, prefix + "registered-models/permissions/", ResourceType.REGISTERED_MODEL, "name",
                    "registered_model_permission", model);
        }
        routes.get("/api/v1/experiments/{experiment_id}/permissions",
                Access.manage(Locator.pathParam(Subject.Kind.EXPERIMENT, "experiment_id")), r -> {
                    var id = r.pathParam("experiment_id");
                    experiments.get(id);
                    return list(authorizer.permissions().list(ResourceType.EXPERIMENT, id));
                });
        routes.get("/api/v1/models/{name}/permissions",
                Access.manage(Locator.pathParam(Subject.Kind.REGISTERED_MODEL, "name")), r -> {
                    var name = r.pathParam("name");
                    registry.getRegisteredModel(name);
                    return list(authorizer.permissions().list(ResourceType.REGISTERED_MODEL, name));
                });
        routes.get("/api/v1/users/{name}/permissions", Access.role(Role.VIEWER), r -> {
            var name = r.pathParam("name");
            var user = AuthFilter.user(r.context());
            if (user != null && !user.name().equals(name) && user.role() != Role.ADMIN) {
                throw new dev.launchpad.core.error.LaunchpadException(dev.launchpad.core.error.ErrorCode.PERMISSION_DENIED,
                        "User '" + user.name() + "' may list only their own permissions.");
            }
            return list(authorizer.permissions().listForUser(name));
        });
        return routes.build();
    }

    private void resource(RouteBuilder routes, String base, ResourceType type, String idParam, String field,
                          Locator locator) {
        var manage = Access.manage(locator);
        routes.post(base + "create", manage, r -> {
            var id = existing(type, r.requiredString(idParam));
            var granted = authorizer.permissions().create(type, id, r.requiredString("username"),
                    Permission.parse(r.requiredString("permission")), actor(r));
            return Map.of(field, Authorizer.json(granted));
        });
        routes.get(base + "get", manage, r -> {
            var id = existing(type, r.requiredString(idParam));
            return Map.of(field, Authorizer.json(authorizer.permissions().get(type, id, r.requiredString("username"))));
        });
        routes.patch(base + "update", manage, r -> {
            var id = existing(type, r.requiredString(idParam));
            authorizer.permissions().update(type, id, r.requiredString("username"),
                    Permission.parse(r.requiredString("permission")), actor(r));
            return Map.of();
        });
        routes.delete(base + "delete", manage, r -> {
            var id = existing(type, r.requiredString(idParam));
            authorizer.permissions().delete(type, id, r.requiredString("username"));
            return Map.of();
        });
    }

    /** The resource's id, after checking it exists (RESOURCE_DOES_NOT_EXIST otherwise). */
    private String existing(ResourceType type, String id) {
        if (type == ResourceType.EXPERIMENT) {
            return experiments.get(id).experimentId();
        }
        return registry.getRegisteredModel(id).name();
    }

    private static String actor(ApiRequest r) {
        var user = AuthFilter.user(r.context());
        return user == null ? "anonymous" : user.name();
    }

    private static Object list(List<ResourcePermission> grants) {
        var node = Json.mapper().createObjectNode();
        var list = node.putArray("permissions");
        for (var grant : grants) {
            var item = Json.mapper().valueToTree(Authorizer.json(grant));
            ((com.fasterxml.jackson.databind.node.ObjectNode) item).put("resource_type", grant.type().name());
            list.add(item);
        }
        return node;
    }
}
