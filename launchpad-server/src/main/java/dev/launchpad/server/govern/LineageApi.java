package dev.launchpad.server.govern;

import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.govern.lineage.LineageQuery;
import dev.launchpad.platform.govern.lineage.LineageService;
import dev.launchpad.platform.govern.lineage.OpenLineageExport;
import dev.launchpad.server.auth.Access;
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

    public LineageApi(LineageService lineage, String launchpadVersion) {
        this.lineage = lineage;
        this.launchpadVersion = launchpadVersion;
        this.producer = URI.create("urn:launchpad:server:" + launchpadVersion.replaceAll("[^A-Za-z0-9.+-]", "_"));
    }

    public List<ApiRoute> routes() {
        return new RouteBuilder()
                .get("/api/v1/lineage", Access.role(Role.VIEWER), this::graph)
                .raw(new ApiRoute(HandlerType.GET, "/api/v1/lineage/openlineage", this::openLineage,
                        Access.role(Role.VIEWER)))
                .build();
    }

    private Object graph(ApiRequest r) {
        return lineage.graph(query(r), r.optionalInt("depth"));
    }

    private void openLineage(Context ctx) throws IOException {
        var r = ApiRequest.of(ctx);
        var namespace = r.string("namespace");
        var export = new OpenLineageExport(namespace == null ? OpenLineageExport.DEFAULT_NAMESPACE : namespace,
                producer, launchpadVersion);
        var events = export.events(lineage.graph(query(r), r.optionalInt("depth")));
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
