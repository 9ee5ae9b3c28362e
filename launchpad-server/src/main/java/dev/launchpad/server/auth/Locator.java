package dev.launchpad.server.auth;

import dev.launchpad.server.http.ApiRequest;
import io.javalin.http.Context;

import java.util.regex.Pattern;

/**
 * Finds a route's {@link Subject} in a request (a parameter, a path segment), or null when the request
 * does not name one (the handler then answers 400 for the missing parameter).
 */
@FunctionalInterface
public interface Locator {
    Subject locate(Context ctx);

    Pattern NUMERIC = Pattern.compile("^[0-9]{1,18}$");

    /** A parameter of the query string or JSON body, e.g. {@code experiment_id}. */
    static Locator param(Subject.Kind kind, String name) {
        return ctx -> {
            var value = ApiRequest.of(ctx).string(name);
            return value == null || value.isEmpty() ? null : Subject.of(kind, value);
        };
    }

    /** A run named by {@code run_id} (or MLflow's older {@code run_uuid}). */
    static Locator run() {
        return ctx -> {
            var request = ApiRequest.of(ctx);
            var id = request.string("run_id");
            if (id == null || id.isEmpty()) {
                id = request.string("run_uuid");
            }
            return id == null || id.isEmpty() ? null : Subject.of(Subject.Kind.RUN, id);
        };
    }

    /** A model version named by the {@code name} and {@code version} parameters. */
    static Locator modelVersionParams() {
        return ctx -> {
            var request = ApiRequest.of(ctx);
            var name = request.string("name");
            return name == null || name.isEmpty() ? null
                    : new Subject(Subject.Kind.MODEL_VERSION, name, request.string("version"));
        };
    }

    /** A path parameter of the route, e.g. {@code {name}}. */
    static Locator pathParam(Subject.Kind kind, String name) {
        return ctx -> Subject.of(kind, ctx.pathParam(name));
    }

    /** A model version named by the {@code {name}} and {@code {version}} path parameters. */
    static Locator modelVersionPath() {
        return ctx -> new Subject(Subject.Kind.MODEL_VERSION, ctx.pathParam("name"), ctx.pathParam("version"));
    }

    /**
     * An artifact proxy path: MLflow lays run artifacts out as {@code <experiment_id>/<run_id>/artifacts/...},
     * so a numeric first segment names the experiment. Other paths name no experiment.
     */
    static Locator artifactPath(String parameter) {
        return ctx -> {
            String path;
            if (parameter == null) {
                path = ctx.queryParam("path");
            } else {
                path = ctx.pathParamMap().get(parameter);
            }
            if (path == null) {
                return null;
            }
            var first = path.startsWith("/") ? path.substring(1) : path;
            int slash = first.indexOf('/');
            var segment = slash < 0 ? first : first.substring(0, slash);
            return NUMERIC.matcher(segment).matches() ? Subject.of(Subject.Kind.EXPERIMENT, segment) : null;
        };
    }
}
