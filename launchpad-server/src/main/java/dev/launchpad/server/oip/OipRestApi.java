package dev.launchpad.server.oip;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.server.serving.CancellableFutures;
import dev.launchpad.server.serving.InferenceCalls;
import dev.launchpad.server.serving.RequestIds;
import dev.launchpad.server.serving.ServedModel;
import dev.launchpad.server.serving.ServingRuntime;
import io.javalin.http.Context;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol (KServe v2) over REST: server and model health and metadata, and infer
 * with JSON tensors or the binary tensor extension. A model here is a deployment; its version is the
 * registry version the deployment serves now.
 */
public final class OipRestApi {
    /** Response header with the request's id (the OIP {@code id}, or one made up when the client sent none). */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private final InferenceCalls calls;
    private final String serverVersion;

    public OipRestApi(InferenceCalls calls, String serverVersion) {
        this.calls = calls;
        this.serverVersion = serverVersion;
    }

    public List<ApiRoute> routes() {
        var routes = new ArrayList<ApiRoute>();
        routes.add(new ApiRoute(HandlerType.GET, "/v2/health/live", ctx -> HttpServer.json(ctx,
                Json.mapper().createObjectNode().put("live", true)), Access.open()));
        routes.add(new ApiRoute(HandlerType.GET, "/v2/health/ready", ctx -> {
            boolean ready = serverReady();
            ctx.status(ready ? 200 : 503);
            HttpServer.json(ctx, Json.mapper().createObjectNode().put("ready", ready));
        }, Access.open()));
        routes.add(new ApiRoute(HandlerType.GET, "/v2", ctx -> HttpServer.json(ctx, serverMetadata()),
                Access.role(Role.VIEWER)));
        // a deployment's model may be hidden from a user: READ on it is needed to see or call it
        var deployment = Access.read(Locator.pathParam(Subject.Kind.DEPLOYMENT, "model"));
        for (var prefix : List.of("/v2/models/{model}", "/v2/models/{model}/versions/{version}")) {
            routes.add(new ApiRoute(HandlerType.GET, prefix, ctx -> guarded(ctx, () -> metadata(ctx)), deployment));
            routes.add(new ApiRoute(HandlerType.GET, prefix + "/ready", ctx -> guarded(ctx, () -> ready(ctx)),
                    deployment));
            routes.add(new ApiRoute(HandlerType.POST, prefix + "/infer", ctx -> guarded(ctx, () -> infer(ctx)),
                    deployment));
        }
        return routes;
    }

    /** Whether every deployment has a model loaded. */
    public boolean serverReady() {
        for (var name : calls.runtime().names()) {
            if (calls.runtime().status(name).state() != ServingRuntime.State.READY) {
                return false;
            }
        }
        return true;
    }

    public ObjectNode serverMetadata() {
        var node = Json.mapper().createObjectNode();
        node.put("name", "launchpad");
        node.put("version", serverVersion);
        node.putArray("extensions").add("binary_tensor_data");
        return node;
    }

    private void metadata(Context ctx) {
        try (var lease = lease(ctx)) {
            var model = lease.model();
            HttpServer.json(ctx, OipJson.modelMetadata(ctx.pathParam("model"),
                    List.of(Integer.toString(lease.version().version())), "onnxruntime_onnx",
                    infos(model.inputs()), infos(model.outputs())));
        }
    }

    private void ready(Context ctx) {
        var name = ctx.pathParam("model");
        var status = calls.runtime().status(name);
        if (status.state() == ServingRuntime.State.NOT_DEPLOYED) {
            throw LaunchpadException.notFound("Model '" + name + "' is not deployed.");
        }
        var version = ctx.pathParamMap().get("version");
        boolean ready = status.state() == ServingRuntime.State.READY
                && (version == null || version.equals(String.valueOf(status.servingVersion())));
        ctx.status(ready ? 200 : 503);
        HttpServer.json(ctx, Json.mapper().createObjectNode().put("name", name).put("ready", ready));
    }

    private void infer(Context ctx) {
        long start = System.nanoTime();
        var name = ctx.pathParam("model");
        var body = ctx.bodyAsBytes();
        if (body.length > calls.limits().maxRequestBytes()) {
            throw new LaunchpadException(ErrorCode.PAYLOAD_TOO_LARGE, "The request has " + body.length
                    + " bytes; the limit is " + calls.limits().maxRequestBytes() + ".");
        }
        OipJson.InferRequest request;
        try {
            request = OipJson.parseRequest(body, headerLength(ctx));
        } catch (LaunchpadException e) {
            calls.rejected(name, "oip", start);
            throw e;
        }
        // a blank id is no id (on gRPC "" is a field left out): serving makes one up, on both protocols
        var id = request.id() != null && !request.id().isBlank() ? request.id() : RequestIds.next();
        ctx.header(REQUEST_ID_HEADER, id);
        var requestedVersion = ctx.pathParamMap().get("version");
        record Answer(List<OipTensor> outputs, int version) {
        }
        var answer = calls.run(name, "oip", id, start, (lease, model) -> {
            checkVersion(name, requestedVersion, lease.version().version());
            checkOutputs(model, request.outputs().stream().map(OipJson.RequestedOutput::name).toList());
            calls.checkRows(request.inputs());
            return CancellableFutures.map(model.infer(request.inputs()), out -> new Answer(out, lease.version().version()));
        });
        var outputs = select(answer.outputs(), request.outputs());
        Set<String> binary = new HashSet<>();
        for (var o : outputs) {
            boolean wanted = request.outputs().isEmpty() ? request.binaryOutputs()
                    : request.outputs().stream().anyMatch(r -> r.name().equals(o.name()) && r.binary());
            if (wanted) {
                binary.add(o.name());
            }
        }
        var encoded = OipJson.encodeResponse(name, Integer.toString(answer.version()), id, outputs, binary);
        if (encoded.headerLength() != null) {
            ctx.header(OipJson.HEADER_LENGTH, Integer.toString(encoded.headerLength()));
            ctx.contentType("application/octet-stream");
        } else {
            ctx.contentType("application/json");
        }
        ctx.result(encoded.body());
    }

    /**
     * Refuses outputs the model does not have before it runs, so that the request counts as the client's error and
     * not as an answered one whose predictions are logged.
     */
    static void checkOutputs(ServedModel model, List<String> requested) {
        for (var name : requested) {
            if (model.outputs().stream().noneMatch(o -> o.name().equals(name))) {
                throw LaunchpadException.invalid("Unknown output '" + name + "'; the model's outputs are "
                        + model.outputs().stream().map(ServedModel.TensorInfo::name).toList() + ".");
            }
        }
    }

    private static List<OipTensor> select(List<OipTensor> all, List<OipJson.RequestedOutput> requested) {
        if (requested.isEmpty()) {
            return all;
        }
        var byName = new LinkedHashMap<String, OipTensor>();
        all.forEach(t -> byName.put(t.name(), t));
        var out = new ArrayList<OipTensor>();
        for (var r : requested) {
            var t = byName.get(r.name());
            if (t == null) {
                throw LaunchpadException.invalid("Unknown output '" + r.name() + "'; the model's outputs are "
                        + String.join(", ", byName.keySet()) + ".");
            }
            out.add(t);
        }
        return out;
    }

    /** RESOURCE_DOES_NOT_EXIST when a request names a version other than the one being served. */
    static void checkVersion(String name, String requested, int serving) {
        if (requested != null && !requested.isEmpty() && !requested.equals(Integer.toString(serving))) {
            throw LaunchpadException.notFound("Model '" + name + "' serves version " + serving + ", not "
                    + requested + ".");
        }
    }

    private ServingRuntime.Lease lease(Context ctx) {
        var name = ctx.pathParam("model");
        var lease = calls.runtime().acquire(name);
        var requested = ctx.pathParamMap().get("version");
        if (requested != null && !requested.equals(Integer.toString(lease.version().version()))) {
            lease.close();
            checkVersion(name, requested, lease.version().version());
        }
        return lease;
    }

    private static Integer headerLength(Context ctx) {
        var value = ctx.header(OipJson.HEADER_LENGTH);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid(OipJson.HEADER_LENGTH + " must be an integer, got '" + value + "'.");
        }
    }

    private static Map<String, Map.Entry<String, long[]>> infos(List<ServedModel.TensorInfo> infos) {
        var map = new LinkedHashMap<String, Map.Entry<String, long[]>>();
        infos.forEach(i -> map.put(i.name(), Map.entry(i.datatype(), i.shape())));
        return map;
    }

    /** Runs an OIP handler, answering failures in the protocol's error form plus Launchpad's error code. */
    private static void guarded(Context ctx, Runnable handler) {
        try {
            handler.run();
        } catch (LaunchpadException e) {
            error(ctx, e.code(), e.getMessage());
        }
    }

    static void error(Context ctx, ErrorCode code, String message) {
        var body = Json.mapper().createObjectNode();
        body.put("error", message);
        body.put("error_code", code.name());
        body.put("message", message);
        ctx.status(code.httpStatus());
        if (code == ErrorCode.REQUEST_LIMIT_EXCEEDED || code == ErrorCode.TEMPORARILY_UNAVAILABLE) {
            ctx.header("Retry-After", "1");
        }
        HttpServer.json(ctx, body);
    }
}
