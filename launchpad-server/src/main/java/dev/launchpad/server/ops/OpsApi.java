package dev.launchpad.server.ops;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.platform.store.Database;
import dev.launchpad.server.Version;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.Map;

/** Operational endpoints: liveness, readiness (the database answers), version, and a no-op for benchmarks. */
public final class OpsApi {
    private final Database database;

    public OpsApi(Database database) {
        this.database = database;
    }

    public List<ApiRoute> routes() {
        return List.of(
                new ApiRoute(HandlerType.GET, "/health/live", ctx -> HttpServer.json(ctx, Map.of("status", "UP")),
                        Access.open()),
                new ApiRoute(HandlerType.GET, "/health/ready", ctx -> {
                    try {
                        database.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
                        HttpServer.json(ctx, Map.of("status", "UP"));
                    } catch (RuntimeException e) {
                        HttpServer.error(ctx, ErrorCode.TEMPORARILY_UNAVAILABLE, "The metadata database is not reachable");
                    }
                }, Access.open()),
                new ApiRoute(HandlerType.GET, "/api/v1/version", ctx -> HttpServer.json(ctx,
                        Map.of("version", Version.current())), Access.role(Role.VIEWER)),
                // the cost of the HTTP stack alone: reads the body and answers, nothing else (the serving
                // benchmark's baseline)
                new ApiRoute(HandlerType.POST, "/api/v1/noop", ctx -> HttpServer.json(ctx,
                        Map.of("bytes", ctx.bodyAsBytes().length)), Access.role(Role.VIEWER)));
    }
}
