package dev.launchpad.server.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.server.oip.OipRestApi;
import dev.launchpad.server.oip.OipTensor;
import dev.launchpad.server.serving.CancellableFutures;
import dev.launchpad.server.serving.InferenceCalls;
import dev.launchpad.server.serving.RequestIds;
import io.javalin.http.Context;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.List;

/**
 * MLflow's scoring protocol: {@code POST /deployments/{name}/invocations} in the server, and
 * {@code /invocations}, {@code /ping}, {@code /health}, {@code /version} in single-model mode
 * ({@code launchpad serve}). Answers {@code {"predictions": ...}} as MLflow's ONNX flavor does:
 * one record per row for table inputs, and output name → nested array for tensor inputs.
 */
public final class ScoringApi {
    private final InferenceCalls calls;

    public ScoringApi(InferenceCalls calls) {
        this.calls = calls;
    }

    /** The per-deployment endpoint of {@code launchpad server}. */
    public List<ApiRoute> deploymentRoutes() {
        return List.of(new ApiRoute(HandlerType.POST, "/deployments/{name}/invocations",
                ctx -> invoke(ctx, ctx.pathParam("name")),
                Access.read(Locator.pathParam(Subject.Kind.DEPLOYMENT, "name"))));
    }

    /** MLflow's single-model scoring server endpoints, serving {@code deployment}. */
    public List<ApiRoute> singleModelRoutes(String deployment, String version) {
        return List.of(
                new ApiRoute(HandlerType.POST, "/invocations", ctx -> invoke(ctx, deployment), Access.role(Role.VIEWER)),
                new ApiRoute(HandlerType.GET, "/ping", ctx -> health(ctx, deployment), Access.open()),
                new ApiRoute(HandlerType.GET, "/health", ctx -> health(ctx, deployment), Access.open()),
                new ApiRoute(HandlerType.GET, "/version", ctx -> ctx.contentType("text/plain").result(version),
                        Access.role(Role.VIEWER)));
    }

    private void health(Context ctx, String deployment) {
        var status = calls.runtime().status(deployment);
        if (status.state() == dev.launchpad.server.serving.ServingRuntime.State.READY) {
            ctx.status(200).contentType("application/json").result("\n");
        } else {
            ctx.status(503).contentType("application/json").result("\n");
        }
    }

    private void invoke(Context ctx, String deployment) {
        long start = System.nanoTime();
        var body = ctx.bodyAsBytes();
        if (body.length > calls.limits().maxRequestBytes()) {
            throw new LaunchpadException(ErrorCode.PAYLOAD_TOO_LARGE, "The request has " + body.length
                    + " bytes; the limit is " + calls.limits().maxRequestBytes() + ".");
        }
        var requestId = RequestIds.next();
        ctx.header(OipRestApi.REQUEST_ID_HEADER, requestId);
        var predictions = calls.run(deployment, "mlflow", requestId, start, (lease, model) -> {
            var input = ScoringInput.parse(ctx.contentType(), body, model, calls.limits().maxRows());
            return switch (input) {
                case ScoringInput.Table t -> CancellableFutures.map(model.inferTable(t.columns(), t.rows()), out -> records(out, t.rows()));
                case ScoringInput.Tensors t -> CancellableFutures.map(model.infer(t.tensors()), ScoringApi::byName);
            };
        });
        var root = Json.mapper().createObjectNode();
        root.set("predictions", predictions);
        HttpServer.json(ctx, root);
    }

    /** One object per row: output name → the row's value (a scalar, or an array for wider outputs). */
    static JsonNode records(List<OipTensor> outputs, int rows) {
        ArrayNode list = Json.mapper().createArrayNode();
        var objects = new ArrayList<ObjectNode>(rows);
        for (int r = 0; r < rows; r++) {
            objects.add(list.addObject());
        }
        for (var t : outputs) {
            long[] shape = t.shape();
            if (shape.length == 0 || shape[0] != rows) {
                throw new IllegalStateException("output " + t.name() + " has shape " + java.util.Arrays.toString(shape)
                        + " for " + rows + " rows");
            }
            int perRow = rows == 0 ? 0 : t.length() / rows;
            long[] rowShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
            for (int r = 0; r < rows; r++) {
                if (perRow == 1 && rowShape.length <= 1) {
                    objects.get(r).set(t.name(), element(t.data(), r));
                } else {
                    objects.get(r).set(t.name(), nested(t.data(), r * perRow, rowShape, 0));
                }
            }
        }
        return list;
    }

    /** Output name → its values as nested arrays in the tensor's shape. */
    static JsonNode byName(List<OipTensor> outputs) {
        var node = Json.mapper().createObjectNode();
        for (var t : outputs) {
            node.set(t.name(), nested(t.data(), 0, t.shape(), 0));
        }
        return node;
    }

    private static JsonNode nested(Object data, int offset, long[] shape, int depth) {
        if (depth == shape.length) {
            return element(data, offset);
        }
        var array = Json.mapper().createArrayNode();
        int stride = 1;
        for (int d = depth + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        for (int i = 0; i < shape[depth]; i++) {
            array.add(nested(data, offset + i * stride, shape, depth + 1));
        }
        return array;
    }

    private static JsonNode element(Object data, int i) {
        var f = Json.mapper().getNodeFactory();
        return switch (data) {
            case float[] a -> f.numberNode(a[i]);
            case double[] a -> f.numberNode(a[i]);
            case int[] a -> f.numberNode(a[i]);
            case long[] a -> f.numberNode(a[i]);
            case boolean[] a -> f.booleanNode(a[i]);
            case String[] a -> a[i] == null ? f.nullNode() : f.textNode(a[i]);
            default -> throw new IllegalArgumentException("unsupported tensor data " + data.getClass());
        };
    }
}
