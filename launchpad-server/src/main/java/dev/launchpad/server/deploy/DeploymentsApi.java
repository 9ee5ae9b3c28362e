package dev.launchpad.server.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.deploy.Deployment;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.approval.ApprovalService;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.RouteBuilder;
import dev.launchpad.server.serving.ServingRuntime;

import java.util.List;
import java.util.Set;

/**
 * The native deployments API ({@code /api/v1/deployments}): create a deployment of a registered
 * model (a version, or an alias it follows), change it, delete it, and see what each one serves now.
 */
public final class DeploymentsApi {
    private static final String ONE = "/api/v1/deployments/{name}";
    private static final Set<String> FIELDS = Set.of("name", "model", "version", "alias", "batching", "description");
    private static final Set<String> BATCHING_FIELDS = Set.of("max_batch_size", "max_queue_delay_microseconds",
            "max_queue_size");

    private final DeploymentService deployments;
    private final ServingRuntime serving;

    private final Authorizer authorizer;
    /**
     * Held while a deployment is created, changed or deleted, so that the database and the serving
     * runtime see concurrent changes in the same order (changes are rare; predictions never take it).
     */
    private final java.util.concurrent.locks.ReentrantLock changes = new java.util.concurrent.locks.ReentrantLock();

    private final ApprovalService approvals;

    public DeploymentsApi(DeploymentService deployments, ServingRuntime serving, Authorizer authorizer,
                          ApprovalService approvals) {
        this.deployments = deployments;
        this.serving = serving;
        this.authorizer = authorizer;
        this.approvals = approvals;
    }

    public List<ApiRoute> routes() {
        var deployment = Locator.pathParam(Subject.Kind.DEPLOYMENT, "name");
        return new RouteBuilder()
                .post("/api/v1/deployments", Access.edit(Locator.param(Subject.Kind.REGISTERED_MODEL, "model")),
                        this::create)
                .get("/api/v1/deployments", Access.filtered(ResourceType.REGISTERED_MODEL), r -> {
                    var node = Json.mapper().createObjectNode();
                    var list = node.putArray("deployments");
                    var readable = authorizer.readable(r.context(), ResourceType.REGISTERED_MODEL);
                    deployments.list().stream().filter(d -> readable.test(d.modelName())).forEach(d -> list.add(json(d)));
                    return node;
                })
                .get(ONE, Access.read(deployment), r -> json(deployments.get(r.pathParam("name"))))
                .patch(ONE, Access.edit(deployment).withBefore(), this::update)
                .delete(ONE, Access.manage(deployment).withBefore(), this::delete)
                .build();
    }

    private Object create(ApiRequest r) {
        changes.lock();
        try {
            checkFields(r);
            var name = r.requiredString("name");
            DeploymentService.validateName(name);
            var spec = spec(r, null);
            approvals.requireServable(spec.modelName(), spec.version(), spec.alias());
            var created = deployments.create(name, spec);
            try {
                serving.deploy(created);
            } catch (RuntimeException e) {
                // a deployment that cannot be loaded is not kept: the request failed as a whole
                deployments.delete(name);
                serving.undeploy(name);
                throw e;
            }
            return json(created);
        } finally {
            changes.unlock();
        }
    }

    private Object update(ApiRequest r) {
        changes.lock();
        try {
            checkFields(r);
            var name = r.pathParam("name");
            var before = deployments.get(name);
            if (r.string("name") != null && !r.string("name").equals(name)) {
                throw LaunchpadException.invalid("A deployment cannot be renamed; create a new one.");
            }
            var spec = spec(r, before);
            approvals.requireServable(spec.modelName(), spec.version(), spec.alias());
            if (!spec.modelName().equals(before.modelName())) {
                // moving to another model needs EDIT there too
                authorizer.require(r.context(), ResourceType.REGISTERED_MODEL, List.of(spec.modelName()),
                        Permission.EDIT);
            }
            var updated = deployments.update(name, spec);
            try {
                serving.deploy(updated);
            } catch (RuntimeException e) {
                deployments.update(name, new DeploymentService.Spec(before.modelName(), before.version(),
                        before.alias(), before.batching(), before.description()));
                throw e;
            }
            return json(updated);
        } finally {
            changes.unlock();
        }
    }

    private Object delete(ApiRequest r) {
        changes.lock();
        try {
            var name = r.pathParam("name");
            deployments.delete(name);
            serving.undeploy(name);
            return Json.mapper().createObjectNode();
        } finally {
            changes.unlock();
        }
    }

    /** The spec a request asks for; on update, fields it leaves out keep their {@code before} values. */
    private static DeploymentService.Spec spec(ApiRequest r, Deployment before) {
        var model = r.string("model");
        var version = r.optionalInt("version");
        var alias = r.string("alias");
        if (before != null) {
            boolean retarget = model != null || version != null || alias != null;
            if (model == null) {
                model = before.modelName();
            }
            if (retarget && version == null && alias == null) {
                throw LaunchpadException.invalid("Give 'version' or 'alias' with 'model'.");
            }
            if (!retarget) {
                version = before.version();
                alias = before.alias();
            }
        } else if (model == null) {
            throw ApiRequest.missing("model");
        }
        var batching = batching(r.object("batching"), before == null ? BatchingSettings.DEFAULTS : before.batching());
        var description = r.string("description");
        if (description == null && before != null) {
            description = before.description();
        }
        return new DeploymentService.Spec(model, version, alias, batching, description);
    }

    private static BatchingSettings batching(ApiRequest b, BatchingSettings defaults) {
        if (b == null) {
            return defaults;
        }
        for (var field : b.fieldNames()) {
            if (!BATCHING_FIELDS.contains(field)) {
                throw LaunchpadException.invalid("Unknown batching setting '" + field + "'. Known settings: "
                        + String.join(", ", BATCHING_FIELDS.stream().sorted().toList()) + ".");
            }
        }
        var size = b.optionalInt("max_batch_size");
        var delay = b.optionalLong("max_queue_delay_microseconds");
        var queue = b.optionalInt("max_queue_size");
        return new BatchingSettings(size != null ? size : defaults.maxBatchSize(),
                delay != null ? delay : defaults.maxQueueDelayMicros(),
                queue != null ? queue : defaults.maxQueueSize());
    }

    private static void checkFields(ApiRequest r) {
        for (var field : r.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw LaunchpadException.invalid("Unknown field '" + field + "'. A deployment has "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ".");
            }
        }
    }

    private ObjectNode json(Deployment d) {
        var node = Json.mapper().createObjectNode();
        node.put("name", d.name());
        node.put("model", d.modelName());
        if (d.version() != null) {
            node.put("version", Integer.toString(d.version()));
        } else {
            node.put("alias", d.alias());
        }
        node.put("model_uri", d.modelUri());
        node.putObject("batching")
                .put("max_batch_size", d.batching().maxBatchSize())
                .put("max_queue_delay_microseconds", d.batching().maxQueueDelayMicros())
                .put("max_queue_size", d.batching().maxQueueSize());
        if (d.description() != null) {
            node.put("description", d.description());
        }
        node.put("creation_timestamp", d.creationTime());
        node.put("last_updated_timestamp", d.lastUpdatedTime());
        var status = serving.status(d.name());
        var s = node.putObject("status");
        s.put("state", status.state().name());
        if (status.servingVersion() != null) {
            s.put("serving_version", Integer.toString(status.servingVersion()));
        }
        if (status.message() != null) {
            s.put("message", status.message());
        }
        node.put("invocations_url", "/deployments/" + d.name() + "/invocations");
        node.put("oip_url", "/v2/models/" + d.name());
        return node;
    }
}
