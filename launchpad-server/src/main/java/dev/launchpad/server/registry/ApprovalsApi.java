package dev.launchpad.server.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.approval.Approval;
import dev.launchpad.platform.govern.approval.ApprovalPolicy;
import dev.launchpad.platform.govern.approval.ApprovalService;
import dev.launchpad.platform.govern.approval.ApprovalStatus;
import dev.launchpad.platform.govern.approval.Evidence;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.AuthFilter;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;

/**
 * Four-eyes approvals over HTTP: a version's approval state, approve/reject with a comment (approver
 * role, not the version's registrant), evidence for the gates, each model's approval policy (admins set
 * it), and the queue of versions by status.
 */
public final class ApprovalsApi {
    private static final String VERSION = "/api/v1/models/{name}/versions/{version}";

    private final ApprovalService approvals;
    private final Authorizer authorizer;

    public ApprovalsApi(ApprovalService approvals, Authorizer authorizer) {
        this.approvals = approvals;
        this.authorizer = authorizer;
    }

    public List<ApiRoute> routes() {
        var version = Locator.modelVersionPath();
        var model = Locator.pathParam(Subject.Kind.REGISTERED_MODEL, "name");
        return new RouteBuilder()
                .get(VERSION + "/approval", Access.read(version),
                        r -> json(approvals.approval(r.pathParam("name"), r.pathParam("version"))))
                .post(VERSION + "/approval", Access.role(Role.APPROVER, version), r -> {
                    authorizer.require(r.context(), ResourceType.REGISTERED_MODEL, List.of(r.pathParam("name")),
                            Permission.READ);
                    return json(approvals.decide(r.pathParam("name"), r.pathParam("version"),
                            decision(r.requiredString("decision")), actor(r), r.string("comment")));
                })
                .post(VERSION + "/evidence", Access.edit(version), r -> {
                    var kind = kind(r.requiredString("kind"));
                    var evidence = approvals.submitEvidence(r.pathParam("name"), r.pathParam("version"), kind,
                            r.json("content"), actor(r));
                    return json(evidence);
                })
                .get("/api/v1/models/{name}/approval-policy", Access.read(model),
                        r -> Json.mapper().valueToTree(approvals.policy(r.pathParam("name"))))
                .put("/api/v1/models/{name}/approval-policy", Access.role(Role.ADMIN, model), r -> {
                    var bounds = new HashMap<String, Double>();
                    var node = r.json("fairness_bounds");
                    if (node != null && !node.isNull()) {
                        if (!node.isObject()) {
                            throw LaunchpadException.invalid("'fairness_bounds' must be an object of metric name to"
                                    + " largest absolute value.");
                        }
                        node.fields().forEachRemaining(f -> {
                            if (!f.getValue().isNumber()) {
                                throw LaunchpadException.invalid("Fairness bound '" + f.getKey() + "' must be a number.");
                            }
                            bounds.put(f.getKey(), f.getValue().doubleValue());
                        });
                    }
                    var policy = new ApprovalPolicy(r.optionalBoolean("require_validation"),
                            r.optionalBoolean("require_model_card"), bounds);
                    return Json.mapper().valueToTree(approvals.setPolicy(r.pathParam("name"), policy, actor(r)));
                })
                .get("/api/v1/approvals", Access.filtered(ResourceType.REGISTERED_MODEL), r -> {
                    var status = r.string("status") == null ? ApprovalStatus.PENDING : status(r.string("status"));
                    var limit = r.optionalInt("max_results");
                    var readable = authorizer.readable(r.context(), ResourceType.REGISTERED_MODEL);
                    var node = Json.mapper().createObjectNode();
                    var list = node.putArray("model_versions");
                    for (var item : approvals.list(status, limit == null ? 100 : limit)) {
                        if (readable.test(item.name())) {
                            list.addObject().put("name", item.name()).put("version", Integer.toString(item.version()))
                                    .put("status", item.status().name()).put("registered_by", item.registeredBy())
                                    .put("creation_timestamp", item.creationTime());
                        }
                    }
                    var aliases = node.putArray("protected_aliases");
                    approvals.protectedAliases().forEach(aliases::add);
                    return node;
                })
                .build();
    }

    private static String actor(ApiRequest r) {
        var user = AuthFilter.user(r.context());
        return user == null ? "anonymous" : user.name();
    }

    private static ApprovalStatus decision(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "approve", "approved" -> ApprovalStatus.APPROVED;
            case "reject", "rejected" -> ApprovalStatus.REJECTED;
            default -> throw LaunchpadException.invalid("Invalid decision '" + value + "'; use 'approve' or 'reject'.");
        };
    }

    private static ApprovalStatus status(String value) {
        try {
            return ApprovalStatus.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw LaunchpadException.invalid("Invalid status '" + value + "'; use PENDING, APPROVED or REJECTED.");
        }
    }

    private static Evidence.Kind kind(String value) {
        try {
            return Evidence.Kind.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw LaunchpadException.invalid("Invalid evidence kind '" + value + "'; use 'validation' or 'fairness'.");
        }
    }

    static ObjectNode json(Approval a) {
        var node = Json.mapper().createObjectNode();
        node.put("name", a.name());
        node.put("version", Integer.toString(a.version()));
        node.put("status", a.status().name());
        node.put("registered_by", a.registeredBy());
        var decisions = node.putArray("decisions");
        a.decisions().forEach(d -> decisions.addObject().put("decision", d.decision().name())
                .put("decided_by", d.decidedBy()).put("comment", d.comment()).put("timestamp", d.time()));
        var evidence = node.putArray("evidence");
        a.evidence().forEach(e -> evidence.add(json(e)));
        node.set("policy", Json.mapper().valueToTree(a.policy()));
        var unmet = node.putArray("unmet_gates");
        a.unmetGates().forEach(unmet::add);
        return node;
    }

    static ObjectNode json(Evidence e) {
        var node = Json.mapper().createObjectNode();
        node.put("id", e.id());
        node.put("kind", e.kind().label());
        node.put("passed", e.passed());
        node.put("submitted_by", e.submittedBy());
        node.put("timestamp", e.time());
        node.set("content", parse(e.content()));
        return node;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
