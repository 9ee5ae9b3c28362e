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

    /** What this locator finds, for people (the permission table in the docs, error messages). */
    default String what() {
        return "the request's subject";
    }

    /** {@code locator}, described as {@code what}. */
    static Locator named(String what, Locator locator) {
        return new Locator() {
            @Override
            public Subject locate(Context ctx) {
                return locator.locate(ctx);
            }

            @Override
            public String what() {
                return what;
            }
        };
    }

    private static String label(Subject.Kind kind) {
        return switch (kind) {
            case EXPERIMENT -> "experiment";
            case RUN -> "run's experiment";
            case REGISTERED_MODEL -> "registered model";
            case MODEL_VERSION -> "version's registered model";
            case DEPLOYMENT -> "deployment's registered model";
            case USER -> "user";
            case UNOWNED -> "artifact area";
        };
    }

    Pattern NUMERIC = Pattern.compile("^[0-9]{1,18}$");

    /** A parameter that defaults to {@code fallback} when absent (as the handler defaults it). */
    static Locator param(Subject.Kind kind, String name, String fallback) {
        return named(label(kind) + " `" + name + "` (default " + fallback + ")", ctx -> {
            var value = ApiRequest.of(ctx).string(name);
            return Subject.of(kind, value == null || value.isEmpty() ? fallback : value);
        });
    }

    /** A parameter of the query string or JSON body, e.g. {@code experiment_id}. */
    static Locator param(Subject.Kind kind, String name) {
        return named(label(kind) + " `" + name + "`", ctx -> {
            var value = ApiRequest.of(ctx).string(name);
            return value == null || value.isEmpty() ? null : Subject.of(kind, value);
        });
    }

    /** A run named by {@code run_id} (or MLflow's older {@code run_uuid}). */
    static Locator run() {
        return named("run's experiment `run_id`", ctx -> {
            var request = ApiRequest.of(ctx);
            var id = request.string("run_id");
            if (id == null || id.isEmpty()) {
                id = request.string("run_uuid");
            }
            return id == null || id.isEmpty() ? null : Subject.of(Subject.Kind.RUN, id);
        });
    }

    /** A model version named by the {@code name} and {@code version} parameters. */
    static Locator modelVersionParams() {
        return named("registered model `name`", ctx -> {
            var request = ApiRequest.of(ctx);
            var name = request.string("name");
            return name == null || name.isEmpty() ? null
                    : new Subject(Subject.Kind.MODEL_VERSION, name, request.string("version"));
        });
    }

    /** A path parameter of the route, e.g. {@code {name}}. */
    static Locator pathParam(Subject.Kind kind, String name) {
        return named(label(kind) + " `{" + name + "}`", ctx -> Subject.of(kind, ctx.pathParam(name)));
    }

    /** A model version named by the {@code {name}} and {@code {version}} path parameters. */
    static Locator modelVersionPath() {
        return named("registered model `{name}`",
                ctx -> new Subject(Subject.Kind.MODEL_VERSION, ctx.pathParam("name"), ctx.pathParam("version")));
    }

    /**
     * The owner of an artifact proxy path: MLflow lays run artifacts out as
     * {@code <experiment_id>/<run_id>/artifacts/...}, so a canonical number as first segment names the
     * experiment; {@code registry/<model>/...} (where {@code launchpad models register} stores packages)
     * names the registered model; anything else (the root included) is {@link Subject.Kind#UNOWNED}.
     */
    static Locator artifactPath(String parameter) {
        return named("owner of the artifact path (`<experiment_id>/...` or `registry/<model>/...`; admins elsewhere)",
                ctx -> {
            String path;
            if (parameter == null) {
                path = ctx.queryParam("path");
            } else {
                path = ctx.pathParamMap().get(parameter);
            }
            return artifactOwner(path);
        });
    }

    /** See {@link #artifactPath}. */
    static Subject artifactOwner(String path) {
        String rest;
        try {
            rest = dev.launchpad.platform.artifact.ArtifactPaths.directory(path); // as the handler normalizes it
        } catch (dev.launchpad.core.error.LaunchpadException e) {
            return Subject.of(Subject.Kind.UNOWNED, String.valueOf(path)); // the handler answers 400
        }
        var segments = rest.split("/", -1);
        var first = segments[0];
        if (NUMERIC.matcher(first).matches() && String.valueOf(Long.parseLong(first)).equals(first)) {
            return Subject.of(Subject.Kind.EXPERIMENT, first);
        }
        if (first.equals("registry") && segments.length > 1 && !segments[1].isEmpty()) {
            return Subject.of(Subject.Kind.REGISTERED_MODEL, segments[1]);
        }
        return Subject.of(Subject.Kind.UNOWNED, rest);
    }
}
