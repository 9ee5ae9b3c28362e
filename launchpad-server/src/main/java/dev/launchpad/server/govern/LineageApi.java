package dev.launchpad.server.govern;

import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.lineage.LineageQuery;
import dev.launchpad.platform.govern.lineage.LineageService;
import dev.launchpad.platform.govern.lineage.OpenLineageExport;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.lineage.LineageGraph;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * The lineage API, read-only metadata for any viewer:
 * {@code GET /api/v1/lineage} answers the lineage graph around a starting point ({@code model} with
 * {@code version} or {@code alias}, or {@code run_id}, or {@code dataset_digest}; optional {@code depth});
 * {@code GET /api/v1/lineage/openlineage} answers the same graph as OpenLineage run events, one JSON
 * object per line ({@code application/x-ndjson}), with jobs in {@code namespace} (default {@code launchpad}).
 */
public final class LineageApi {
    private final LineageService lineage;
    private final String launchpadVersion;
    private final URI producer;

    private final Authorizer authorizer;

    public LineageApi(LineageService lineage, String launchpadVersion, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.lineage = lineage;
        this.launchpadVersion = launchpadVersion;
        this.producer = URI.create("urn:launchpad:server:" + launchpadVersion.replaceAll("[^A-Za-z0-9.+-]", "_"));
    }

    public List<ApiRoute> routes() {
        return new RouteBuilder()
                .get("/api/v1/lineage", Access.read(START), this::graph)
                .raw(new ApiRoute(HandlerType.GET, "/api/v1/lineage/openlineage", this::openLineage,
                        Access.read(START)))
                .build();
    }

    /** The starting point's model (or run): READ on it is needed; a dataset digest names neither. */
    private static final Locator START = Locator.named("registered model `model`, or run's experiment `run_id`", ctx -> {
        LineageQuery query;
        try {
            query = query(ApiRequest.of(ctx)); // exactly as the handler reads it
        } catch (dev.launchpad.core.error.LaunchpadException e) {
            return null; // the handler answers 400
        }
        return switch (query) {
            case LineageQuery.ModelVersion v -> Subject.of(Subject.Kind.REGISTERED_MODEL, v.model());
            case LineageQuery.ModelAlias a -> Subject.of(Subject.Kind.REGISTERED_MODEL, a.model());
            case LineageQuery.Run run -> Subject.of(Subject.Kind.RUN, run.runId());
            case LineageQuery.DatasetDigest d -> null; // datasets have no owner; the graph is filtered below
        };
    });

    private Object graph(ApiRequest r) {
        return visible(r.context(), lineage.graph(query(r), r.optionalInt("depth")));
    }

    /**
     * The part of the graph the caller may read: runs and experiments of experiments, versions, models
     * and deployments (and their prediction windows) of registered models they may READ; datasets only
     * where they touch something shown (or are the starting point).
     */
    private LineageGraph visible(Context ctx, LineageGraph graph) {
        var experiments = authorizer.readable(ctx, ResourceType.EXPERIMENT);
        var models = authorizer.readable(ctx, ResourceType.REGISTERED_MODEL);
        var deploymentModels = new java.util.HashMap<String, String>();
        for (var node : graph.nodes(LineageGraph.NodeType.DEPLOYMENT)) {
            node.string("name").ifPresent(name -> deploymentModels.put(name, node.string("model_name").orElse("")));
        }
        var kept = new java.util.LinkedHashSet<String>();
        for (var node : graph.nodes()) {
            boolean shown = switch (node.type()) {
                case EXPERIMENT, RUN -> node.string("experiment_id").map(experiments::test).orElse(true);
                case MODEL_VERSION, REGISTERED_MODEL -> node.string("name").map(models::test).orElse(false);
                case DEPLOYMENT -> node.string("model_name").map(models::test).orElse(false);
                case PREDICTION_WINDOW -> node.string("deployment").map(d -> deploymentModels.get(d))
                        .map(models::test).orElse(false);
                case DATASET -> true; // decided below, by its neighbours
            };
            if (shown) {
                kept.add(node.id());
            }
        }
        for (var node : graph.nodes(LineageGraph.NodeType.DATASET)) {
            boolean touchesShown = graph.edges().stream().anyMatch(e -> (e.from().equals(node.id())
                    && kept.contains(e.to()) && !isDataset(graph, e.to()))
                    || (e.to().equals(node.id()) && kept.contains(e.from()) && !isDataset(graph, e.from())));
            if (!touchesShown && !graph.roots().contains(node.id())) {
                kept.remove(node.id());
            }
        }
        if (kept.size() == graph.nodes().size()) {
            return graph;
        }
        return new LineageGraph(graph.roots().stream().filter(kept::contains).toList(),
                graph.nodes().stream().filter(n -> kept.contains(n.id())).toList(),
                graph.edges().stream().filter(e -> kept.contains(e.from()) && kept.contains(e.to())).toList(),
                graph.truncated());
    }

    private static boolean isDataset(LineageGraph graph, String id) {
        return id.startsWith(LineageGraph.NodeType.DATASET.label() + ":");
    }

    private void openLineage(Context ctx) throws IOException {
        var r = ApiRequest.of(ctx);
        var namespace = r.string("namespace");
        var export = new OpenLineageExport(namespace == null ? OpenLineageExport.DEFAULT_NAMESPACE : namespace,
                producer, launchpadVersion);
        var events = export.events(visible(ctx, lineage.graph(query(r), r.optionalInt("depth"))));
        ctx.contentType("application/x-ndjson");
        var out = new BufferedOutputStream(ctx.outputStream());
        var writer = Json.mapper().writer();
        for (var event : events) {
            out.write(writer.writeValueAsBytes(event));
            out.write('\n');
        }
        out.flush();
    }

    private static LineageQuery query(ApiRequest r) {
        return LineageQuery.of(r.string("model"), r.string("version"), r.string("alias"), r.string("run_id"),
                r.string("dataset_digest"));
    }
}
