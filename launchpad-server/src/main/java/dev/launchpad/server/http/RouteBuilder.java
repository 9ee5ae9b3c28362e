package dev.launchpad.server.http;

import dev.launchpad.server.auth.Access;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Collects JSON API routes: each declares who may call it ({@link Access}), and its action takes the
 * parsed {@link ApiRequest} and returns the body to send as JSON with status 200 (errors are thrown as
 * typed exceptions).
 */
public final class RouteBuilder {
    private final List<ApiRoute> routes = new ArrayList<>();

    public RouteBuilder get(String path, Access access, Function<ApiRequest, Object> action) {
        return add(HandlerType.GET, path, access, action);
    }

    public RouteBuilder post(String path, Access access, Function<ApiRequest, Object> action) {
        return add(HandlerType.POST, path, access, action);
    }

    public RouteBuilder patch(String path, Access access, Function<ApiRequest, Object> action) {
        return add(HandlerType.PATCH, path, access, action);
    }

    public RouteBuilder put(String path, Access access, Function<ApiRequest, Object> action) {
        return add(HandlerType.PUT, path, access, action);
    }

    public RouteBuilder delete(String path, Access access, Function<ApiRequest, Object> action) {
        return add(HandlerType.DELETE, path, access, action);
    }

    public RouteBuilder add(HandlerType method, String path, Access access, Function<ApiRequest, Object> action) {
        routes.add(new ApiRoute(method, path, ctx -> HttpServer.json(ctx, action.apply(ApiRequest.of(ctx))), access));
        return this;
    }

    /** Adds a route whose handler needs the raw context (headers, streaming bodies). */
    public RouteBuilder raw(ApiRoute route) {
        routes.add(route);
        return this;
    }

    public List<ApiRoute> build() {
        return List.copyOf(routes);
    }
}
