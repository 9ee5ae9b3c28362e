package dev.launchpad.server.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.audit.AuditFilter;
import dev.launchpad.platform.govern.audit.AuditLog;
import dev.launchpad.platform.govern.audit.AuditVerification;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.RouteBuilder;
import io.javalin.http.Context;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.util.List;

/**
 * The native audit API: {@code GET /api/v1/audit} lists rows (filters {@code actor}, {@code action},
 * {@code resource} prefix, {@code from}/{@code to} in epoch milliseconds, {@code max_results},
 * {@code page_token}), {@code GET /api/v1/audit/export} streams them as JSON lines, and
 * {@code GET /api/v1/audit/verify} walks the hash chain (optionally against {@code expect_seq} and
 * {@code expect_hash}, a head recorded earlier).
 */
public final class AuditApi {
    private final AuditLog log;
    private final AuditRecorder recorder;

    public AuditApi(AuditLog log, AuditRecorder recorder) {
        this.log = log;
        this.recorder = recorder;
    }

    public List<ApiRoute> routes() {
        return new RouteBuilder()
                .get("/api/v1/audit", Access.role(Role.ADMIN), r -> {
                    var page = log.query(filter(r), r.optionalInt("max_results"), r.string("page_token"));
                    var node = Json.mapper().createObjectNode();
                    var records = node.putArray("records");
                    page.items().forEach(record -> records.add(record.toJson()));
                    if (page.nextPageToken() != null) {
                        node.put("next_page_token", page.nextPageToken());
                    }
                    return node;
                })
                .raw(new ApiRoute(HandlerType.GET, "/api/v1/audit/export", this::export, Access.role(Role.ADMIN)))
                .get("/api/v1/audit/verify", Access.role(Role.ADMIN), r -> {
                    var expectSeq = r.optionalLong("expect_seq");
                    var expectHash = r.string("expect_hash");
                    if ((expectSeq == null) != (expectHash == null || expectHash.isEmpty())) {
                        throw LaunchpadException.invalid("Parameters 'expect_seq' and 'expect_hash' go together.");
                    }
                    var result = expectSeq == null ? log.verify() : log.verify(expectSeq, expectHash);
                    return json(result, recorder.failures());
                })
                .build();
    }

    private void export(Context ctx) throws IOException {
        var filter = filter(ApiRequest.of(ctx));
        ctx.contentType("application/x-ndjson");
        ctx.header("Content-Disposition", "attachment; filename=\"launchpad-audit.jsonl\"");
        log.exportJsonLines(ctx.outputStream(), filter);
    }

    static AuditFilter filter(ApiRequest r) {
        return new AuditFilter(r.string("actor"), r.string("action"), r.string("resource"), r.optionalLong("from"),
                r.optionalLong("to"));
    }

    /** The verification result as JSON: {@code ok} and either the row count and head, or the first broken row. */
    public static ObjectNode json(AuditVerification result, long appendFailures) {
        var node = Json.mapper().createObjectNode();
        node.put("ok", result.ok());
        switch (result) {
            case AuditVerification.Intact intact -> {
                node.put("rows", intact.rows());
                node.put("head_seq", intact.headSeq());
                node.put("head_hash", intact.headHash());
            }
            case AuditVerification.Broken broken -> {
                node.put("broken_seq", broken.seq());
                node.put("problem", broken.problem().name());
                node.put("message", broken.message());
                node.put("rows_verified", broken.rowsVerified());
            }
        }
        node.put("append_failures_since_start", appendFailures);
        return node;
    }
}
