package dev.launchpad.server.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.IdentityService;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.server.mlflow.MlflowJson;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a request's {@link Subject} to what permissions are kept on (the experiment of a run, the
 * registered model of a version or a deployment) and reads its current state as JSON for the audit
 * log's {@code before}. A run's experiment never changes, so it is remembered (bounded).
 */
public final class ResourceResolver {
    /** A resource the permissions are granted on. */
    public record Target(ResourceType type, String id) {
    }

    private static final int RUN_CACHE_SIZE = 10_000;

    private final ExperimentService experiments;
    private final RunService runs;
    private final RegistryService registry;
    private final DeploymentService deployments;
    private final IdentityService identity;
    private final Map<String, String> experimentOfRun = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > RUN_CACHE_SIZE;
                }
            });

    public ResourceResolver(ExperimentService experiments, RunService runs, RegistryService registry,
                            DeploymentService deployments, IdentityService identity) {
        this.experiments = experiments;
        this.runs = runs;
        this.registry = registry;
        this.deployments = deployments;
        this.identity = identity;
    }

    /** The experiment or registered model behind the subject; empty when it names none that exists. */
    public Optional<Target> target(Subject subject) {
        if (subject == null || subject.id() == null) {
            return Optional.empty();
        }
        return switch (subject.kind()) {
            case EXPERIMENT -> canonicalExperimentId(subject.id()).map(id -> new Target(ResourceType.EXPERIMENT, id));
            case RUN -> experimentOf(subject.id()).map(id -> new Target(ResourceType.EXPERIMENT, id));
            case REGISTERED_MODEL, MODEL_VERSION -> Optional.of(new Target(ResourceType.REGISTERED_MODEL, subject.id()));
            case DEPLOYMENT -> quietly(() -> deployments.get(subject.id()))
                    .map(d -> new Target(ResourceType.REGISTERED_MODEL, d.modelName()));
            case USER, UNOWNED -> Optional.empty();
        };
    }

    /**
     * An experiment id as the database writes it ("01" and "+1" are experiment 1), or empty when it is
     * not a number (the handler then answers 400). Grants are kept under this form.
     */
    public static Optional<String> canonicalExperimentId(String id) {
        try {
            return Optional.of(String.valueOf(Long.parseLong(id.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The subject's current state as JSON, or null when it does not exist (yet). */
    public String snapshot(Subject subject) {
        if (subject == null || subject.id() == null) {
            return null;
        }
        Optional<? extends JsonNode> state = switch (subject.kind()) {
            case EXPERIMENT -> quietly(() -> MlflowJson.experiment(experiments.get(subject.id())));
            case RUN -> quietly(() -> MlflowJson.runInfo(runs.get(subject.id()).info()));
            case REGISTERED_MODEL -> quietly(() -> MlflowJson.registeredModel(registry.getRegisteredModel(subject.id())));
            case MODEL_VERSION -> subject.version() == null ? Optional.empty()
                    : quietly(() -> MlflowJson.modelVersion(registry.getModelVersion(subject.id(), subject.version())));
            case DEPLOYMENT -> quietly(() -> Json.mapper().valueToTree(deployments.get(subject.id())));
            case USER -> quietly(() -> Json.mapper().valueToTree(identity.getUser(subject.id())));
            case UNOWNED -> Optional.empty();
        };
        return state.map(ResourceResolver::write).orElse(null);
    }

    private Optional<String> experimentOf(String runId) {
        var known = experimentOfRun.get(runId);
        if (known != null) {
            return Optional.of(known);
        }
        var found = runs.experimentOf(runId);
        found.ifPresent(id -> experimentOfRun.put(runId, id));
        return found;
    }

    /** The value, or empty when the lookup fails with a typed error (not found, invalid name). */
    private static <T> Optional<T> quietly(java.util.function.Supplier<T> lookup) {
        try {
            return Optional.ofNullable(lookup.get());
        } catch (LaunchpadException e) {
            return Optional.empty();
        }
    }

    private static String write(JsonNode node) {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
