package dev.launchpad.server.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.registry.ModelCard;
import dev.launchpad.platform.registry.ModelCardService;
import dev.launchpad.platform.registry.ModelLineage;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.registry.ModelUri;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.AuthFilter;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.server.http.RouteBuilder;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Launchpad's native model API for what MLflow has no words for: resolving {@code models:/} URIs,
 * a version's lineage, and model cards (JSON or Markdown, versioned).
 */
public final class ModelsApi {
    private static final String VERSION = "/api/v1/models/{name}/versions/{version}";

    private final RegistryService registry;
    private final ModelCardService cards;

    public ModelsApi(RegistryService registry, ModelCardService cards) {
        this.registry = registry;
        this.cards = cards;
    }

    public List<ApiRoute> routes() {
        return new RouteBuilder()
                .get("/api/v1/models/resolve", Access.read(Locator.named("registered model of `uri`",
                        ctx -> modelOf(ApiRequest.of(ctx).string("uri")))), r -> {
                    var version = registry.resolve(r.requiredString("uri"));
                    var node = Json.mapper().createObjectNode();
                    node.put("uri", version.uri());
                    node.put("name", version.name());
                    node.put("version", Integer.toString(version.version()));
                    node.put("storage_location", version.storageLocation());
                    node.put("run_id", version.runId());
                    return node;
                })
                .get(VERSION + "/lineage", Access.read(Locator.modelVersionPath()), r -> lineage(registry.lineage(r.pathParam("name"), r.pathParam("version"))))
                .raw(new ApiRoute(HandlerType.GET, VERSION + "/card", ctx -> {
                    var r = ApiRequest.of(ctx);
                    var revision = r.optionalInt("revision");
                    var card = revision == null ? cards.current(r.pathParam("name"), r.pathParam("version"))
                            : cards.revision(r.pathParam("name"), r.pathParam("version"), revision);
                    var accept = ctx.header("Accept");
                    if ("markdown".equals(r.string("format")) || (accept != null && accept.contains("text/markdown"))) {
                        ctx.contentType("text/markdown; charset=utf-8").result(ModelCardService.markdown(card));
                    } else {
                        HttpServer.json(ctx, card(card));
                    }
                }, Access.read(Locator.modelVersionPath())))
                .put(VERSION + "/card", Access.edit(Locator.modelVersionPath()), r -> card(cards.update(r.pathParam("name"), r.pathParam("version"),
                        new ModelCardService.CardEdit(r.string("intended_use"), r.string("training_data"),
                                r.string("limitations"), r.string("owner"), metrics(r)),
                        editor(r))))
                .get(VERSION + "/card/revisions", Access.read(Locator.modelVersionPath()), r -> {
                    var node = Json.mapper().createObjectNode();
                    var list = node.putArray("revisions");
                    cards.revisions(r.pathParam("name"), r.pathParam("version")).forEach(c -> list.addObject()
                            .put("revision", c.revision()).put("updated_by", c.updatedBy())
                            .put("updated_at", c.updatedAt()));
                    return node;
                })
                .build();
    }

    /** The model a {@code models:/} URI names, or null when it is not one (the handler answers 400). */
    private static Subject modelOf(String uri) {
        try {
            return uri == null ? null : Subject.of(Subject.Kind.REGISTERED_MODEL, ModelUri.parse(uri).name());
        } catch (LaunchpadException e) {
            return null;
        }
    }

    /** Who edits a card: the authenticated user when there is one, else what the client says. */
    private static String editor(ApiRequest r) {
        var user = AuthFilter.user(r.context());
        return user != null ? user.name() : r.string("updated_by");
    }

    private static Map<String, Double> metrics(ApiRequest r) {
        var object = r.object("evaluation_metrics");
        if (object == null) {
            return null;
        }
        var metrics = new TreeMap<String, Double>();
        for (var key : object.fieldNames()) {
            metrics.put(key, object.requiredDouble(key));
        }
        if (metrics.size() > 1000) {
            throw LaunchpadException.invalid("A model card can hold at most 1000 evaluation metrics");
        }
        return metrics;
    }

    static ObjectNode card(ModelCard card) {
        var node = Json.mapper().createObjectNode();
        node.put("name", card.name());
        node.put("version", Integer.toString(card.version()));
        node.put("revision", card.revision());
        node.put("intended_use", card.intendedUse());
        node.put("training_data", card.trainingData());
        var metrics = node.putObject("evaluation_metrics");
        card.evaluationMetrics().forEach(metrics::put);
        node.put("limitations", card.limitations());
        node.put("owner", card.owner());
        node.put("run_id", card.runId());
        node.put("code_version", card.codeVersion());
        node.set("datasets", datasets(card.datasets()));
        node.put("updated_by", card.updatedBy());
        node.put("updated_at", card.updatedAt());
        node.put("markdown", ModelCardService.markdown(card));
        return node;
    }

    static ObjectNode lineage(ModelLineage lineage) {
        var node = Json.mapper().createObjectNode();
        node.put("name", lineage.name());
        node.put("version", Integer.toString(lineage.version()));
        node.put("run_id", lineage.runId());
        node.put("experiment_id", lineage.experimentId());
        node.put("source", lineage.source());
        node.put("code_version", lineage.codeVersion());
        node.put("created_by", lineage.createdBy());
        node.put("creation_timestamp", lineage.creationTime());
        node.set("datasets", datasets(lineage.datasets()));
        return node;
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode datasets(List<ModelLineage.LineageDataset> datasets) {
        var array = Json.mapper().createArrayNode();
        for (var d : datasets) {
            array.addObject().put("name", d.name()).put("digest", d.digest()).put("source", d.source())
                    .put("context", d.context());
        }
        return array;
    }
}
