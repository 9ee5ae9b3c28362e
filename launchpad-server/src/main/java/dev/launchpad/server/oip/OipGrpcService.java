package dev.launchpad.server.oip;

import com.google.protobuf.ByteString;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.server.oip.grpc.GRPCInferenceServiceGrpc;
import dev.launchpad.server.oip.grpc.InferTensorContents;
import dev.launchpad.server.oip.grpc.ModelInferRequest;
import dev.launchpad.server.oip.grpc.ModelInferResponse;
import dev.launchpad.server.oip.grpc.ModelMetadataRequest;
import dev.launchpad.server.oip.grpc.ModelMetadataResponse;
import dev.launchpad.server.oip.grpc.ModelReadyRequest;
import dev.launchpad.server.oip.grpc.ModelReadyResponse;
import dev.launchpad.server.oip.grpc.ServerLiveRequest;
import dev.launchpad.server.oip.grpc.ServerLiveResponse;
import dev.launchpad.server.oip.grpc.ServerMetadataRequest;
import dev.launchpad.server.oip.grpc.ServerMetadataResponse;
import dev.launchpad.server.oip.grpc.ServerReadyRequest;
import dev.launchpad.server.oip.grpc.ServerReadyResponse;
import dev.launchpad.server.serving.CancellableFutures;
import dev.launchpad.server.serving.InferenceCalls;
import dev.launchpad.server.serving.RequestIds;
import dev.launchpad.server.serving.ServedModel;
import dev.launchpad.server.serving.ServingRuntime;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService} (KServe's grpc_predict_v2): the same deployments as the REST
 * endpoints, with tensor contents either typed ({@code contents}) or raw ({@code raw_input_contents}).
 * Errors map to gRPC status codes: INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, UNAVAILABLE.
 */
public final class OipGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(OipGrpcService.class);

    private final InferenceCalls calls;
    private final OipRestApi rest;
    private final Consumer<String> readCheck;

    /** {@code readCheck} refuses (with a typed error) a caller who may not use the named deployment. */
    public OipGrpcService(InferenceCalls calls, OipRestApi rest, Consumer<String> readCheck) {
        this.calls = calls;
        this.rest = rest;
        this.readCheck = readCheck;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(rest.serverReady()).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> {
            var meta = rest.serverMetadata();
            var builder = ServerMetadataResponse.newBuilder().setName(meta.path("name").asText())
                    .setVersion(meta.path("version").asText());
            meta.path("extensions").forEach(e -> builder.addExtensions(e.asText()));
            return builder.build();
        });
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        answer(out, () -> {
            readCheck.accept(request.getName());
            var status = calls.runtime().status(request.getName());
            if (status.state() == ServingRuntime.State.NOT_DEPLOYED) {
                throw LaunchpadException.notFound("Model '" + request.getName() + "' is not deployed.");
            }
            boolean ready = status.state() == ServingRuntime.State.READY && (request.getVersion().isEmpty()
                    || request.getVersion().equals(String.valueOf(status.servingVersion())));
            return ModelReadyResponse.newBuilder().setReady(ready).build();
        });
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        answer(out, () -> {
            readCheck.accept(request.getName());
            try (var lease = calls.runtime().acquire(request.getName())) {
                OipRestApi.checkVersion(request.getName(), request.getVersion(), lease.version().version());
                var builder = ModelMetadataResponse.newBuilder().setName(request.getName())
                        .addVersions(Integer.toString(lease.version().version())).setPlatform("onnxruntime_onnx");
                for (var i : lease.model().inputs()) {
                    builder.addInputs(metadata(i));
                }
                for (var o : lease.model().outputs()) {
                    builder.addOutputs(metadata(o));
                }
                return builder.build();
            }
        });
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        answer(out, () -> {
            readCheck.accept(request.getModelName());
            long start = System.nanoTime(); // after the permission check, as on REST (its filter runs first)
            List<OipTensor> inputs;
            try {
                OipJson.checkId(request.getId());
                inputs = inputs(request);
            } catch (LaunchpadException e) {
                calls.rejected(request.getModelName(), "grpc", start);
                throw e;
            }
            record Answer(List<OipTensor> outputs, int version) {
            }
            var id = request.getId().isBlank() ? RequestIds.next() : request.getId(); // as on REST
            var wanted = request.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
            var answer = calls.run(request.getModelName(), "grpc", id, start, (lease, model) -> {
                OipRestApi.checkVersion(request.getModelName(), request.getModelVersion(), lease.version().version());
                OipRestApi.checkOutputs(model, wanted);
                calls.checkRows(inputs);
                return CancellableFutures.map(model.infer(inputs), o -> new Answer(o, lease.version().version()));
            });
            boolean raw = request.getRawInputContentsCount() > 0;
            var builder = ModelInferResponse.newBuilder().setModelName(request.getModelName())
                    .setModelVersion(Integer.toString(answer.version()))
                    .setId(id); // (unknown outputs were refused before the model ran)
            for (var t : answer.outputs()) {
                if (!wanted.isEmpty() && !wanted.contains(t.name())) {
                    continue;
                }
                var tensor = ModelInferResponse.InferOutputTensor.newBuilder().setName(t.name())
                        .setDatatype(t.datatype());
                for (long d : t.shape()) {
                    tensor.addShape(d);
                }
                if (raw) {
                    builder.addRawOutputContents(rawBytes(t));
                } else {
                    tensor.setContents(contents(t));
                }
                builder.addOutputs(tensor);
            }
            return builder.build();
        });
    }

    private static ModelMetadataResponse.TensorMetadata metadata(ServedModel.TensorInfo info) {
        var b = ModelMetadataResponse.TensorMetadata.newBuilder().setName(info.name()).setDatatype(info.datatype());
        for (long d : info.shape()) {
            b.addShape(d);
        }
        return b.build();
    }

    static List<OipTensor> inputs(ModelInferRequest request) {
        if (request.getInputsCount() == 0) {
            throw LaunchpadException.invalid("The infer request has no inputs.");
        }
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw LaunchpadException.invalid("raw_input_contents has " + request.getRawInputContentsCount()
                    + " entries for " + request.getInputsCount() + " inputs.");
        }
        var out = new ArrayList<OipTensor>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            var input = request.getInputs(i);
            var name = input.getName();
            if (name.isEmpty()) {
                throw LaunchpadException.invalid("Input " + i + " has no name.");
            }
            var type = OipTensor.typeOf(name, input.getDatatype());
            long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
            long count = OipTensor.elementCount(name, shape);
            if (count > Integer.MAX_VALUE - 8) {
                throw LaunchpadException.invalid("Input '" + name + "' is too large.");
            }
            Object data;
            if (raw) {
                if (input.hasContents()) {
                    throw LaunchpadException.invalid("Input '" + name + "' has contents although raw_input_contents is used.");
                }
                data = OipJson.fromBinary(name, type, (int) count, request.getRawInputContents(i).asReadOnlyByteBuffer());
            } else {
                data = fromContents(name, type, input.getContents(), (int) count);
            }
            out.add(new OipTensor(name, input.getDatatype(), shape, data));
        }
        return out;
    }

    private static Object fromContents(String name, TensorType type, InferTensorContents c, int count) {
        Object data = switch (type) {
            case BOOL -> toBooleans(c.getBoolContentsList());
            // the narrow types' values must fit them, as on REST (else the model would see them wrapped around)
            case INT8, INT16, INT32 -> c.getIntContentsList().stream()
                    .mapToInt(v -> (int) OipJson.inRange(name, type, v)).toArray();
            case UINT8, UINT16 -> c.getUintContentsList().stream()
                    .mapToInt(v -> (int) OipJson.inRange(name, type, Integer.toUnsignedLong(v))).toArray();
            case INT64 -> c.getInt64ContentsList().stream().mapToLong(Long::longValue).toArray();
            case UINT32 -> c.getUintContentsList().stream().mapToLong(v -> v & 0xffff_ffffL).toArray();
            case UINT64 -> c.getUint64ContentsList().stream().mapToLong(Long::longValue).toArray();
            case FLOAT16, FLOAT32 -> toFloats(c.getFp32ContentsList());
            case FLOAT64 -> c.getFp64ContentsList().stream().mapToDouble(Double::doubleValue).toArray();
            case STRING -> c.getBytesContentsList().stream().map(b -> b.toStringUtf8()).toArray(String[]::new);
        };
        int length = java.lang.reflect.Array.getLength(data);
        if (length != count) {
            throw LaunchpadException.invalid("Input '" + name + "' has " + length + " elements in its "
                    + OipTensor.datatypeOf(type) + " contents but its shape needs " + count + ".");
        }
        return data;
    }

    private static boolean[] toBooleans(List<Boolean> values) {
        var out = new boolean[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static float[] toFloats(List<Float> values) {
        var out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static InferTensorContents contents(OipTensor t) {
        var b = InferTensorContents.newBuilder();
        switch (t.data()) {
            case float[] a -> { for (float v : a) { b.addFp32Contents(v); } }
            case double[] a -> { for (double v : a) { b.addFp64Contents(v); } }
            // KServe's contents fields by datatype: uint_contents for UINT8/16/32, uint64_contents for UINT64
            case int[] a when t.datatype().startsWith("UINT") -> { for (int v : a) { b.addUintContents(v); } }
            case int[] a -> { for (int v : a) { b.addIntContents(v); } }
            case long[] a when t.datatype().equals("UINT32") -> { for (long v : a) { b.addUintContents((int) v); } }
            case long[] a when t.datatype().equals("UINT64") -> { for (long v : a) { b.addUint64Contents(v); } }
            case long[] a -> { for (long v : a) { b.addInt64Contents(v); } }
            case boolean[] a -> { for (boolean v : a) { b.addBoolContents(v); } }
            case String[] a -> { for (String v : a) { b.addBytesContents(ByteString.copyFromUtf8(v)); } }
            default -> throw new IllegalArgumentException("unsupported tensor data " + t.data().getClass());
        }
        return b.build();
    }

    private static ByteString rawBytes(OipTensor t) {
        var encoded = OipJson.encodeResponse("m", null, null, List.of(t), java.util.Set.of(t.name()));
        var body = encoded.body();
        return ByteString.copyFrom(body, encoded.headerLength(), body.length - encoded.headerLength());
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (LaunchpadException e) {
            out.onError(status(e.code()).withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure in a gRPC inference call", e);
            out.onError(Status.INTERNAL.withDescription("Internal error: " + e.getClass().getSimpleName()
                    + ". The server log has the details.").asRuntimeException());
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    static Status status(ErrorCode code) {
        return switch (code) {
            case RESOURCE_DOES_NOT_EXIST, ENDPOINT_NOT_FOUND -> Status.NOT_FOUND;
            case REQUEST_LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            case TEMPORARILY_UNAVAILABLE -> Status.UNAVAILABLE;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case INTERNAL_ERROR, DATA_LOSS -> Status.INTERNAL;
            case PAYLOAD_TOO_LARGE -> Status.RESOURCE_EXHAUSTED;
            default -> Status.INVALID_ARGUMENT;
        };
    }
}
