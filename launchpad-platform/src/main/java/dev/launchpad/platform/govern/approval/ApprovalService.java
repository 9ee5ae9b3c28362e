package dev.launchpad.platform.govern.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.id.Ids;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.registry.PromotionGuard;
import dev.launchpad.platform.registry.Stage;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Four-eyes approval of model versions. A version is PENDING until someone other than the principal
 * who registered it approves or rejects it, with a comment; approving first requires the evidence the
 * model's {@link ApprovalPolicy} asks for. As the registry's {@link PromotionGuard} it keeps protected
 * aliases (by default {@code champion} and {@code production}, compared without case) and, while
 * {@code production} is protected, the Production stage for APPROVED versions, whichever API tries to
 * move them.
 */
public final class ApprovalService implements PromotionGuard {
    /** The aliases only approved versions may hold unless configured otherwise. */
    public static final Set<String> DEFAULT_PROTECTED_ALIASES = Set.of("champion", "production");
    private static final int MAX_COMMENT_CHARS = 4096;
    private static final int MAX_EVIDENCE_CHARS = 1024 * 1024;

    private final Database db;
    private final Clock clock;
    private final Set<String> protectedAliases;

    public ApprovalService(Database db, Clock clock, Collection<String> protectedAliases) {
        this.db = db;
        this.clock = clock;
        var normalized = new TreeSet<String>();
        for (var alias : protectedAliases) {
            if (alias != null && !alias.isBlank()) {
                normalized.add(alias.strip().toLowerCase(Locale.ROOT));
            }
        }
        this.protectedAliases = Set.copyOf(normalized);
    }

    /** The aliases only approved versions may hold (lower case). */
    public Set<String> protectedAliases() {
        return protectedAliases;
    }

    public boolean isProtected(String alias) {
        return alias != null && protectedAliases.contains(alias.toLowerCase(Locale.ROOT));
    }

    /** The version's approval with its decisions, evidence and the gates still unmet. */
    public Approval approval(String name, String version) {
        int number = parseVersion(version);
        return db.read(h -> approval(h, name, number));
    }

    /**
     * Approves or rejects a version. {@code actor} must not be the principal who registered it; approving
     * needs every gate of the model's policy met; a comment is required either way.
     */
    public Approval decide(String name, String version, ApprovalStatus decision, String actor, String comment) {
        int number = parseVersion(version);
        if (decision == ApprovalStatus.PENDING) {
            throw LaunchpadException.invalid("A decision is 'approve' or 'reject'.");
        }
        if (comment == null || comment.isBlank()) {
            throw LaunchpadException.invalid("A decision needs a comment saying why.");
        }
        if (comment.length() > MAX_COMMENT_CHARS) {
            throw LaunchpadException.invalid("A comment may have at most " + MAX_COMMENT_CHARS + " characters.");
        }
        return db.write(h -> {
            var registeredBy = registeredBy(h, name, number);
            if (actor.equals(registeredBy)) {
                throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + actor + "' registered version "
                        + number + " of '" + name + "' and so cannot " + verb(decision)
                        + " it: approvals need a second person (four-eyes).");
            }
            if (decision == ApprovalStatus.REJECTED) {
                var held = protectedHoldings(h, name, number);
                if (!held.isEmpty()) {
                    throw new LaunchpadException(ErrorCode.INVALID_STATE, "Version " + number + " of '" + name
                            + "' holds " + String.join(" and ", held) + "; move it to another approved version"
                            + " first (that is the rollback), then reject this one.");
                }
            }
            if (decision == ApprovalStatus.APPROVED) {
                var unmet = unmetGates(h, name, number, policy(h, name));
                if (!unmet.isEmpty()) {
                    throw new LaunchpadException(ErrorCode.INVALID_STATE, "Version " + number + " of '" + name
                            + "' cannot be approved yet: " + String.join("; ", unmet) + ".");
                }
            }
            long now = clock.millis();
            int updated = h.createUpdate("UPDATE model_version_approvals SET status = :s, updated_time = :now"
                            + " WHERE name = :name AND version = :v")
                    .bind("s", decision.name()).bind("now", now).bind("name", name).bind("v", number).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO model_version_approvals (name, version, status, registered_by, updated_time)"
                                + " VALUES (:name, :v, :s, :by, :now)")
                        .bind("name", name).bind("v", number).bind("s", decision.name()).bind("by", registeredBy)
                        .bind("now", now).execute();
            }
            h.createUpdate("INSERT INTO model_version_decisions (id, name, version, decision, decided_by, comment,"
                            + " decision_time) VALUES (:id, :name, :v, :d, :by, :c, :now)")
                    .bind("id", Ids.newHexId()).bind("name", name).bind("v", number).bind("d", decision.name())
                    .bind("by", actor).bind("c", comment.strip()).bind("now", now).execute();
            return approval(h, name, number);
        });
    }

    /**
     * Attaches evidence: a validation result (an object with a boolean {@code success}, as the statistics
     * library's validator writes) or fairness metrics (an object {@code metrics} of metric name to number).
     */
    public Evidence submitEvidence(String name, String version, Evidence.Kind kind, JsonNode content, String actor) {
        int number = parseVersion(version);
        if (content == null || !content.isObject()) {
            throw LaunchpadException.invalid("Evidence 'content' must be a JSON object.");
        }
        boolean passed = switch (kind) {
            case VALIDATION -> {
                var success = content.get("success");
                if (success == null || !success.isBoolean()) {
                    throw LaunchpadException.invalid("Validation evidence needs a boolean 'success' (a validation"
                            + " result as the statistics library writes it).");
                }
                yield success.booleanValue();
            }
            case FAIRNESS -> {
                var metrics = content.get("metrics");
                if (metrics == null || !metrics.isObject() || metrics.isEmpty()) {
                    throw LaunchpadException.invalid("Fairness evidence needs 'metrics': an object of metric name"
                            + " to number.");
                }
                metrics.fields().forEachRemaining(field -> {
                    if (!field.getValue().isNumber() || !Double.isFinite(field.getValue().doubleValue())) {
                        throw LaunchpadException.invalid("Fairness metric '" + field.getKey()
                                + "' must be a finite number.");
                    }
                });
                yield true; // checked against the policy's bounds when a gate runs
            }
        };
        var text = write(content);
        if (text.length() > MAX_EVIDENCE_CHARS) {
            throw LaunchpadException.invalid("Evidence may have at most " + MAX_EVIDENCE_CHARS + " characters.");
        }
        var evidence = new Evidence(Ids.newHexId(), kind, passed, text, actor, clock.millis());
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            h.createUpdate("INSERT INTO model_version_evidence (id, name, version, kind, passed, content, submitted_by,"
                            + " creation_time) VALUES (:id, :name, :v, :kind, :passed, :content, :by, :now)")
                    .bind("id", evidence.id()).bind("name", name).bind("v", number).bind("kind", kind.name())
                    .bind("passed", passed ? 1 : 0).bind("content", text).bind("by", actor)
                    .bind("now", evidence.time()).execute();
        });
        return evidence;
    }

    /** One version's place in the approval queue. */
    public record Listing(String name, int version, ApprovalStatus status, String registeredBy, long creationTime) {
    }

    /** Versions with {@code status}, newest first (at most {@code limit}) — an approver's inbox for PENDING. */
    public List<Listing> list(ApprovalStatus status, int limit) {
        if (limit < 1 || limit > 1000) {
            throw LaunchpadException.invalid("max_results must be between 1 and 1000.");
        }
        return db.read(h -> h.createQuery("SELECT mv.name, mv.version, mv.user_id, mv.creation_time,"
                        + " COALESCE(a.status, 'PENDING') AS status, a.registered_by FROM model_versions mv"
                        + " LEFT JOIN model_version_approvals a ON a.name = mv.name AND a.version = mv.version"
                        + " WHERE COALESCE(a.status, 'PENDING') = :status"
                        + " ORDER BY mv.creation_time DESC, mv.name, mv.version LIMIT :limit")
                .bind("status", status.name()).bind("limit", limit)
                .map((rs, ctx) -> new Listing(rs.getString("name"), rs.getInt("version"),
                        ApprovalStatus.valueOf(rs.getString("status")),
                        rs.getString("registered_by") != null ? rs.getString("registered_by")
                                : rs.getString("user_id") == null ? "" : rs.getString("user_id"),
                        rs.getLong("creation_time"))).list());
    }

    /** The model's approval policy ({@link ApprovalPolicy#NONE} when none was set). */
    public ApprovalPolicy policy(String name) {
        return db.read(h -> {
            requireModel(h, name);
            return policy(h, name);
        });
    }

    public ApprovalPolicy setPolicy(String name, ApprovalPolicy policy, String actor) {
        var text = write(Json.mapper().valueToTree(policy));
        db.writeVoid(h -> {
            requireModel(h, name);
            h.createUpdate("DELETE FROM approval_policies WHERE name = :name").bind("name", name).execute();
            h.createUpdate("INSERT INTO approval_policies (name, policy, updated_by, updated_time)"
                            + " VALUES (:name, :p, :by, :now)")
                    .bind("name", name).bind("p", text).bind("by", actor).bind("now", clock.millis()).execute();
        });
        return policy(name);
    }

    @Override
    public void checkAlias(Handle h, String name, String alias, int version) {
        if (isProtected(alias)) {
            requireApproved(h, name, version, "alias '" + alias + "'");
        }
    }

    @Override
    public void checkStage(Handle h, String name, int version, Stage stage) {
        // MLflow's legacy Production stage is the 'production' alias of old: protected alike
        if (stage == Stage.PRODUCTION && isProtected("production")) {
            requireApproved(h, name, version, "stage Production");
        }
    }

    /** Whether any alias is protected (none are without authentication). */
    public boolean protecting() {
        return !protectedAliases.isEmpty();
    }

    /**
     * INVALID_STATE unless a deployment may serve this: with protection on, a deployment follows a
     * protected alias (which only approved versions hold) or is pinned to an APPROVED version.
     */
    public void requireServable(String name, Integer version, String alias) {
        if (!protecting()) {
            return;
        }
        if (alias != null) {
            if (!isProtected(alias)) {
                throw new LaunchpadException(ErrorCode.INVALID_STATE, "Alias '" + alias + "' is not protected, so"
                        + " it may point at unapproved versions: deployments follow a protected alias ("
                        + String.join(", ", protectedAliases) + ") or are pinned to an APPROVED version.");
            }
            return;
        }
        var status = db.read(h -> {
            registeredBy(h, name, version); // 404 for a version that does not exist
            return status(h, name, version);
        });
        if (status != ApprovalStatus.APPROVED) {
            throw new LaunchpadException(ErrorCode.INVALID_STATE, "Version " + version + " of '" + name + "' is "
                    + status + ": deployments serve only APPROVED versions (or follow a protected alias).");
        }
    }

    /** The protected aliases and stage the version holds, e.g. "alias 'champion'". */
    private List<String> protectedHoldings(Handle h, String name, int version) {
        var held = new ArrayList<String>();
        h.createQuery("SELECT alias FROM registered_model_aliases WHERE name = :name AND version = :v ORDER BY alias")
                .bind("name", name).bind("v", version).mapTo(String.class).list().stream()
                .filter(this::isProtected).forEach(alias -> held.add("alias '" + alias + "'"));
        if (isProtected("production")) {
            var stage = h.createQuery("SELECT current_stage FROM model_versions WHERE name = :name AND version = :v")
                    .bind("name", name).bind("v", version).mapTo(String.class).findOne().orElse("");
            if (Stage.PRODUCTION.label().equals(stage)) {
                held.add("stage Production");
            }
        }
        return held;
    }

    private void requireApproved(Handle h, String name, int version, String target) {
        var status = status(h, name, version);
        if (status != ApprovalStatus.APPROVED) {
            throw new LaunchpadException(ErrorCode.INVALID_STATE, "Version " + version + " of '" + name + "' is "
                    + status + ", and " + target + " is protected: only an APPROVED version may have it. Ask an"
                    + " approver (not the version's creator) to approve it first.");
        }
    }

    private Approval approval(Handle h, String name, int version) {
        var registeredBy = registeredBy(h, name, version);
        var policy = policy(h, name);
        var decisions = h.createQuery("SELECT * FROM model_version_decisions WHERE name = :name AND version = :v"
                        + " ORDER BY decision_time, id")
                .bind("name", name).bind("v", version).map((rs, ctx) -> decision(rs)).list();
        var evidence = evidence(h, name, version);
        return new Approval(name, version, status(h, name, version), registeredBy, decisions, evidence, policy,
                unmetGates(h, name, version, policy));
    }

    private static ApprovalStatus status(Handle h, String name, int version) {
        return h.createQuery("SELECT status FROM model_version_approvals WHERE name = :name AND version = :v")
                .bind("name", name).bind("v", version).mapTo(String.class).findOne()
                .map(ApprovalStatus::valueOf).orElse(ApprovalStatus.PENDING);
    }

    /** Who registered the version: frozen in the approval row once there is one, else the version's user. */
    private static String registeredBy(Handle h, String name, int version) {
        var frozen = h.createQuery("SELECT registered_by FROM model_version_approvals WHERE name = :name AND version = :v")
                .bind("name", name).bind("v", version).mapTo(String.class).findOne();
        if (frozen.isPresent()) {
            return frozen.get();
        }
        return h.createQuery("SELECT user_id FROM model_versions WHERE name = :name AND version = :v")
                .bind("name", name).bind("v", version).mapTo(String.class).findOne()
                .map(user -> user == null ? "" : user)
                .orElseThrow(() -> LaunchpadException.notFound("Model Version (name=" + name + ", version=" + version
                        + ") not found"));
    }

    private static List<String> unmetGates(Handle h, String name, int version, ApprovalPolicy policy) {
        var unmet = new ArrayList<String>();
        var evidence = evidence(h, name, version);
        if (policy.requireValidation()) {
            var latest = latest(evidence, Evidence.Kind.VALIDATION);
            if (latest.isEmpty()) {
                unmet.add("no validation result was submitted");
            } else if (!latest.get().passed()) {
                unmet.add("the latest validation result failed");
            }
        }
        if (!policy.fairnessBounds().isEmpty()) {
            var latest = latest(evidence, Evidence.Kind.FAIRNESS);
            if (latest.isEmpty()) {
                unmet.add("no fairness metrics were submitted");
            } else {
                var metrics = read(latest.get().content()).get("metrics");
                policy.fairnessBounds().forEach((metric, bound) -> {
                    var value = metrics.get(metric);
                    if (value == null) {
                        unmet.add("fairness metric '" + metric + "' is missing");
                    } else if (Math.abs(value.doubleValue()) > bound) {
                        unmet.add("fairness metric '" + metric + "' is " + value.doubleValue() + ", outside ±" + bound);
                    }
                });
            }
        }
        if (policy.requireModelCard()) {
            var card = h.createQuery("SELECT content FROM model_cards WHERE name = :name AND version = :v"
                            + " ORDER BY revision DESC LIMIT 1")
                    .bind("name", name).bind("v", version).mapTo(String.class).findOne().map(ApprovalService::read);
            if (card.isEmpty()) {
                unmet.add("no model card was written");
            } else {
                for (var field : List.of("intended_use", "limitations")) {
                    var value = card.get().path(field);
                    if (!value.isTextual() || value.asText().isBlank()) {
                        unmet.add("the model card's '" + field + "' is empty");
                    }
                }
            }
        }
        return unmet;
    }

    private static Optional<Evidence> latest(List<Evidence> evidence, Evidence.Kind kind) {
        Evidence latest = null;
        for (var e : evidence) {
            if (e.kind() == kind) {
                latest = e; // ordered oldest first
            }
        }
        return Optional.ofNullable(latest);
    }

    private static List<Evidence> evidence(Handle h, String name, int version) {
        return h.createQuery("SELECT * FROM model_version_evidence WHERE name = :name AND version = :v"
                        + " ORDER BY creation_time, id")
                .bind("name", name).bind("v", version).map((rs, ctx) -> new Evidence(rs.getString("id"),
                        Evidence.Kind.valueOf(rs.getString("kind")), rs.getInt("passed") != 0, rs.getString("content"),
                        rs.getString("submitted_by"), rs.getLong("creation_time"))).list();
    }

    private static ApprovalPolicy policy(Handle h, String name) {
        return h.createQuery("SELECT policy FROM approval_policies WHERE name = :name").bind("name", name)
                .mapTo(String.class).findOne().map(text -> {
                    try {
                        return Json.mapper().readValue(text, ApprovalPolicy.class);
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("Stored approval policy of '" + name + "' is not valid JSON", e);
                    }
                }).orElse(ApprovalPolicy.NONE);
    }

    private static void requireModel(Handle h, String name) {
        if (name == null || name.isBlank()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'name'.");
        }
        if (h.createQuery("SELECT COUNT(*) FROM registered_models WHERE name = :name").bind("name", name)
                .mapTo(Long.class).one() == 0) {
            throw LaunchpadException.notFound("Registered Model with name=" + name + " not found");
        }
    }

    private static void requireVersion(Handle h, String name, int version) {
        registeredBy(h, name, version);
    }

    private static Decision decision(ResultSet rs) throws SQLException {
        return new Decision(rs.getString("id"), ApprovalStatus.valueOf(rs.getString("decision")),
                rs.getString("decided_by"), rs.getString("comment"), rs.getLong("decision_time"));
    }

    private static int parseVersion(String version) {
        try {
            int number = Integer.parseInt(version == null ? "" : version.strip());
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("Invalid model version '" + version + "': a version is a positive integer.");
        }
    }

    private static String verb(ApprovalStatus decision) {
        return decision == ApprovalStatus.APPROVED ? "approve" : "reject";
    }

    private static String write(JsonNode node) {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored evidence is not valid JSON", e);
        }
    }
}
