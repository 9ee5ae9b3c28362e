package dev.launchpad.server.mlflow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.artifact.ArtifactPaths;
import dev.launchpad.platform.artifact.ArtifactStore;
import dev.launchpad.platform.artifact.ArtifactStore.ArtifactEntry;
import dev.launchpad.platform.artifact.ArtifactStore.UploadedPart;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.launchpad.server.http.HttpServer.json;

/**
 * MLflow's artifact proxy ({@code mlflow server --serve-artifacts}) over an {@link ArtifactStore}:
 * upload, download, list and delete under {@code /api/2.0/mlflow-artifacts/artifacts}, multipart
 * uploads under {@code .../mpu/...} (with signed part-upload URLs that point back at this server), and
 * {@code /api/2.0/mlflow/artifacts/list} for a run's artifacts. Also under {@code /ajax-api/2.0}.
 *
 * <p>File bytes are streamed between the socket and the store in both directions and never read
 * whole, so the JSON body limit does not apply to them. Reads are verified by the store before the
 * first byte is sent: a corrupted file is a 500 DATA_LOSS, not a wrong download.
 */
public final class MlflowArtifactsApi {
    public static final List<String> PREFIXES = List.of("/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/");

    private final ArtifactStore store;
    private final RunService runs;
    private final dev.launchpad.platform.registry.RegistryService registry;
    private final PartUrlSigner signer;
    private final boolean signedPartsOnly;

    /**
     * {@code signingKey} signs the part-upload URLs of multipart uploads (see {@link PartUrlSigner});
     * with {@code signedPartsOnly} (authentication on) a part upload without a valid signature is refused.
     */
    public MlflowArtifactsApi(ArtifactStore store, RunService runs, dev.launchpad.platform.registry.RegistryService registry,
                              byte[] signingKey, java.time.Clock clock, boolean signedPartsOnly) {
        this.store = store;
        this.runs = runs;
        this.registry = registry;
        this.signer = new PartUrlSigner(signingKey, clock);
        this.signedPartsOnly = signedPartsOnly;
    }

    /** Every route of the API, once per prefix. */
    public List<ApiRoute> routes() {
        var routes = new ArrayList<ApiRoute>();
        var path = Locator.artifactPath("path");
        for (var prefix : PREFIXES) {
            routes.add(new ApiRoute(HandlerType.PUT, prefix + "artifacts/<path>", this::upload, Access.edit(path)));
            routes.add(new ApiRoute(HandlerType.GET, prefix + "artifacts/<path>", this::download, Access.read(path)));
            routes.add(new ApiRoute(HandlerType.DELETE, prefix + "artifacts/<path>", this::delete, Access.edit(path)));
            routes.add(new ApiRoute(HandlerType.GET, prefix + "artifacts", this::list,
                    Access.read(Locator.artifactPath(null))));
            for (var withPath : List.of("", "/<path>")) {
                routes.add(new ApiRoute(HandlerType.POST, prefix + "mpu/create" + withPath, ctx -> createUpload(ctx, prefix),
                        Access.edit(path)));
                routes.add(new ApiRoute(HandlerType.POST, prefix + "mpu/complete" + withPath, this::completeUpload,
                        Access.edit(path)));
                routes.add(new ApiRoute(HandlerType.POST, prefix + "mpu/abort" + withPath, this::abortUpload,
                        Access.edit(path)));
            }
            // MLflow clients PUT parts without credentials, as to S3 presigned URLs: the URL's signature
            // (made when an editor created the upload) is the permission
            routes.add(new ApiRoute(HandlerType.PUT, prefix + "mpu/upload/<path>", this::uploadPart, Access.open()));
        }
        for (var prefix : MlflowTrackingApi.PREFIXES) {
            routes.add(new ApiRoute(HandlerType.GET, prefix + "artifacts/list", this::listRunArtifacts,
                    Access.read(Locator.run())));
        }
        return routes;
    }

    private void upload(Context ctx) throws IOException {
        var path = ArtifactPaths.file(ctx.pathParam("path"));
        requireMutable(path);
        try (var body = ctx.req().getInputStream()) {
            store.put(path, body);
        }
        json(ctx, MlflowJson.object());
    }

    private void download(Context ctx) throws IOException {
        var path = ArtifactPaths.file(ctx.pathParam("path"));
        try (var in = store.open(path)) {
            var res = ctx.res();
            res.setStatus(200);
            res.setContentType("application/octet-stream");
            res.setContentLengthLong(in.info().size());
            res.setHeader("Content-Disposition", "attachment; filename=\""
                    + ArtifactPaths.basename(path).replace("\"", "") + "\"");
            res.setHeader("X-Content-Type-Options", "nosniff");
            var out = res.getOutputStream();
            in.transferTo(out);
            out.flush();
        }
    }

    private void delete(Context ctx) throws IOException {
        var path = ArtifactPaths.file(ctx.pathParam("path"));
        requireMutable(path);
        store.delete(path);
        json(ctx, MlflowJson.object());
    }

    /** MLflow lists a directory's children by their names (relative to the listed directory). */
    private void list(Context ctx) throws IOException {
        var dir = ArtifactPaths.directory(ctx.queryParam("path"));
        var node = MlflowJson.object();
        var files = node.putArray("files");
        for (var entry : store.list(dir)) {
            files.add(fileInfo(ArtifactPaths.basename(entry.path()), entry));
        }
        json(ctx, node);
    }

    /** {@code artifacts/list} for a run: paths relative to the run's artifact root, as MLflow answers. */
    private void listRunArtifacts(Context ctx) throws IOException {
        var request = ApiRequest.of(ctx);
        var run = runs.get(request.requiredString("run_id", "run_uuid"));
        var rootUri = run.info().artifactUri();
        var relative = ArtifactPaths.directory(request.string("path"));
        var root = proxiedPath(rootUri);
        var node = MlflowJson.object();
        node.put("root_uri", rootUri);
        var files = node.putArray("files");
        for (var entry : store.list(ArtifactPaths.join(root, relative))) {
            files.add(fileInfo(ArtifactPaths.join(relative, ArtifactPaths.basename(entry.path())), entry));
        }
        json(ctx, node);
    }

    /**
     * MLflow's multipart create: the URL names the destination directory, the body's {@code path} the
     * local file whose name the artifact takes. Answers one part-upload URL per part, on this server.
     */
    private void createUpload(Context ctx, String prefix) throws IOException {
        var request = ApiRequest.of(ctx);
        var target = destination(ctx, request);
        requireMutable(target);
        var numParts = request.optionalInt("num_parts");
        if (numParts == null || numParts < 1 || numParts > 10_000) {
            throw LaunchpadException.invalid("Invalid value " + numParts + " for parameter 'num_parts':"
                    + " expected a number of parts from 1 to 10000.");
        }
        var uploadId = store.createMultipartUpload(target);
        var base = ctx.scheme() + "://" + ctx.host() + prefix + "mpu/upload/" + encodePath(target)
                + "?upload_id=" + uploadId + "&part_number=";
        var node = MlflowJson.object();
        node.put("upload_id", uploadId);
        var credentials = node.putArray("credentials");
        for (int part = 1; part <= numParts; part++) {
            var credential = credentials.addObject();
            credential.put("part_number", part);
            credential.put("url", base + part + signer.query(target, uploadId, part));
            credential.putObject("headers");
        }
        json(ctx, node);
    }

    /** The URL each part goes to; answers the part's ETag header as S3 does. */
    private void uploadPart(Context ctx) throws IOException {
        var path = ArtifactPaths.file(ctx.pathParam("path"));
        boolean signed = ctx.queryParam("signature") != null;
        if (signedPartsOnly && !signed) {
            signer.verify(path, "", 0, null, null); // refuses: not signed
        }
        var uploadId = ctx.queryParam("upload_id");
        if (uploadId == null || uploadId.isEmpty()) {
            throw ApiRequest.missing("upload_id");
        }
        int partNumber;
        try {
            partNumber = Integer.parseInt(String.valueOf(ctx.queryParam("part_number")).strip());
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("Invalid value \"" + ctx.queryParam("part_number")
                    + "\" for parameter 'part_number': expected an integer from 1 to 10000.");
        }
        if (signed) {
            signer.verify(path, uploadId, partNumber, ctx.queryParam("expires"), ctx.queryParam("signature"));
        }
        checkUploadPath(uploadId, path);
        String etag;
        try (var body = ctx.req().getInputStream()) {
            etag = store.uploadPart(uploadId, partNumber, body);
        }
        var quoted = etag.startsWith("\"") ? etag : "\"" + etag + "\"";
        ctx.header("ETag", quoted);
        json(ctx, MlflowJson.object());
    }

    private void completeUpload(Context ctx) throws IOException {
        var request = ApiRequest.of(ctx);
        var target = destination(ctx, request);
        requireMutable(target);
        var uploadId = request.requiredString("upload_id");
        checkUploadPath(uploadId, target);
        var parts = new ArrayList<UploadedPart>();
        for (var part : request.objectList("parts")) {
            var number = part.optionalInt("part_number");
            if (number == null) {
                throw ApiRequest.missing("part_number");
            }
            parts.add(new UploadedPart(number, part.requiredString("etag")));
        }
        store.completeMultipartUpload(uploadId, parts);
        json(ctx, MlflowJson.object());
    }

    private void abortUpload(Context ctx) throws IOException {
        var request = ApiRequest.of(ctx);
        var target = destination(ctx, request);
        var uploadId = request.requiredString("upload_id");
        checkUploadPath(uploadId, target);
        store.abortMultipartUpload(uploadId);
        json(ctx, MlflowJson.object());
    }

    /** {@code <URL directory>/<file name of the body's path>}, MLflow's destination of a multipart upload. */
    private static String destination(Context ctx, ApiRequest request) {
        var directory = ctx.pathParamMap().containsKey("path") ? ArtifactPaths.directory(ctx.pathParam("path")) : "";
        var local = request.requiredString("path").replace('\\', '/');
        var name = ArtifactPaths.basename(local);
        if (name.isEmpty()) {
            throw LaunchpadException.invalid("Invalid value '" + local + "' for parameter 'path': it names no file.");
        }
        return ArtifactPaths.file(ArtifactPaths.join(directory, name));
    }

    /**
     * INVALID_STATE when {@code path} is (or holds) a registered model version's files: what was
     * registered, and perhaps approved, must not change under its name afterwards.
     */
    private void requireMutable(String path) {
        registry.versionStoredAt("mlflow-artifacts:/" + path).ifPresent(version -> {
            throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.INVALID_STATE, "'" + path + "' holds the"
                    + " files of " + version.uri() + ": a registered model version's files cannot be changed or"
                    + " deleted (register a new version instead).");
        });
    }

    private void checkUploadPath(String uploadId, String path) {
        var expected = store.multipartUploadPath(uploadId);
        if (!expected.equals(path)) {
            throw LaunchpadException.invalid("Multipart upload '" + uploadId + "' is for '" + expected
                    + "', not '" + path + "'.");
        }
    }

    /** The store path an {@code mlflow-artifacts:} URI stands for; other URIs are not served here. */
    static String proxiedPath(String artifactUri) {
        var scheme = "mlflow-artifacts:";
        if (artifactUri == null || !artifactUri.startsWith(scheme)) {
            throw LaunchpadException.invalid("The run's artifact URI '" + artifactUri
                    + "' is not served by this server's artifact proxy (mlflow-artifacts:/...).");
        }
        var rest = artifactUri.substring(scheme.length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return ArtifactPaths.directory(rest);
    }

    private static ObjectNode fileInfo(String path, ArtifactEntry entry) {
        var node = Json.mapper().createObjectNode();
        node.put("path", path);
        node.put("is_dir", entry.isDir());
        if (!entry.isDir()) {
            node.put("file_size", entry.fileSize());
        }
        return node;
    }

    private static String encodePath(String path) {
        var out = new StringBuilder();
        for (var segment : path.split("/")) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
