package dev.launchpad.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestHttp;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.launchpad.inference.model.ModelPackage;
import dev.launchpad.inference.model.OnnxSignatures;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.server.oip.grpc.GRPCInferenceServiceGrpc;
import dev.launchpad.server.oip.grpc.ModelReadyRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Four-eyes approvals through the real HTTP API: an unapproved version cannot take a protected alias
 * (MLflow's alias API, through the official client too) or the Production stage; its registrant cannot
 * approve it; approving needs the approver role, a comment and the evidence the model's policy asks
 * for; every decision lands in the audit log with the state before it.
 */
class ApprovalsApiTest {
    private static final String MLFLOW = "/api/2.0/mlflow/";
    private static Launchpad server;
    private static TestHttp http;
    private static String admin;
    private static String editor;
    private static String approver;
    private static String secondApprover;

    @BeforeAll
    static void start() {
        server = TestServers.startWithAuth(TestDatabases.newSqliteUrl());
        http = new TestHttp(server.url());
        admin = server.firstStartToken().orElseThrow().secret();
        editor = http.user("erin", "editor", admin);
        approver = http.user("amy", "approver", admin);
        secondApprover = http.user("bo", "approver", admin);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String register(String model, String token) {
        return http.ok("POST", MLFLOW + "model-versions/create", "{\"name\":\"" + model
                        + "\",\"source\":\"mlflow-artifacts:/scratch/" + model + "\",\"user_id\":\"someone-else\"}", token)
                .path("model_version").path("version").asText();
    }

    private static String approval(String model, String version) {
        return "/api/v1/models/" + model + "/versions/" + version + "/approval";
    }

    @Test
    void anUnapprovedVersionCannotBecomeChampion() {
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"fraud\"}", editor);
        var v1 = register("fraud", editor);
        var state = http.ok("GET", approval("fraud", v1), null, editor);
        assertThat(state.path("status").asText()).isEqualTo("PENDING");
        assertThat(state.path("registered_by").asText()).as("the caller, not the client's user_id").isEqualTo("erin");

        // protected aliases and the Production stage refuse it, whichever API asks
        var message = http.fails("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"" + v1 + "\"}", admin, 400, "INVALID_STATE");
        assertThat(message).contains("PENDING").contains("champion");
        http.fails("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"Production\",\"version\":\"" + v1 + "\"}", admin, 400, "INVALID_STATE");
        http.fails("POST", MLFLOW + "model-versions/transition-stage",
                "{\"name\":\"fraud\",\"version\":\"" + v1 + "\",\"stage\":\"Production\"}", admin, 400, "INVALID_STATE");
        var client = new MlflowClient(new BasicMlflowHostCreds(server.url(), admin));
        assertThatThrownBy(() -> client.sendPost("registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"" + v1 + "\"}"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> assertThat(e.getStatusCode()).isEqualTo(400));
        // other aliases are free
        http.ok("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"challenger\",\"version\":\"" + v1 + "\"}", editor);

        // an editor cannot approve; the registrant cannot approve their own version, even as an approver
        http.fails("POST", approval("fraud", v1), "{\"decision\":\"approve\",\"comment\":\"ok\"}", editor, 403,
                "PERMISSION_DENIED");
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"own\"}", approver);
        var own = register("own", approver);
        assertThat(http.fails("POST", approval("own", own), "{\"decision\":\"approve\",\"comment\":\"mine\"}", approver,
                403, "PERMISSION_DENIED")).contains("four-eyes");
        // a decision needs a comment and a known verb
        http.fails("POST", approval("fraud", v1), "{\"decision\":\"approve\"}", approver, 400, "INVALID_PARAMETER_VALUE");
        http.fails("POST", approval("fraud", v1), "{\"decision\":\"yes\",\"comment\":\"x\"}", approver, 400,
                "INVALID_PARAMETER_VALUE");
        http.fails("POST", approval("fraud", "99"), "{\"decision\":\"approve\",\"comment\":\"x\"}", approver, 404,
                "RESOURCE_DOES_NOT_EXIST");

        var approved = http.ok("POST", approval("fraud", v1),
                "{\"decision\":\"approve\",\"comment\":\"validated on the Q3 holdout\"}", approver);
        assertThat(approved.path("status").asText()).isEqualTo("APPROVED");
        assertThat(approved.path("decisions").get(0).path("decided_by").asText()).isEqualTo("amy");
        // protected aliases are moved by approvers (through the official client too), not by editors
        http.fails("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"" + v1 + "\"}", editor, 403,
                "PERMISSION_DENIED");
        var approverClient = new MlflowClient(new BasicMlflowHostCreds(server.url(), approver));
        approverClient.sendPost("registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"" + v1 + "\"}");
        assertThat(http.ok("GET", MLFLOW + "registered-models/alias?name=fraud&alias=champion", null, editor)
                .path("model_version").path("version").asText()).isEqualTo(v1);
        http.fails("DELETE", MLFLOW + "registered-models/alias?name=fraud&alias=champion", null, editor, 403,
                "PERMISSION_DENIED");

        // the champion cannot be rejected in place: first roll the alias back to another approved version
        assertThat(http.fails("POST", approval("fraud", v1), "{\"decision\":\"reject\",\"comment\":\"drifted\"}",
                secondApprover, 400, "INVALID_STATE")).contains("champion");
        var v2 = register("fraud", editor);
        http.ok("POST", approval("fraud", v2), "{\"decision\":\"approve\",\"comment\":\"retrained\"}", approver);
        http.ok("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"" + v2 + "\"}", secondApprover);
        http.ok("POST", approval("fraud", v1), "{\"decision\":\"reject\",\"comment\":\"drifted\"}", secondApprover);
        // ... and a rejected version cannot take a protected alias or stage again
        http.fails("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"fraud\",\"alias\":\"production\",\"version\":\"" + v1 + "\"}", approver, 400,
                "INVALID_STATE");
        http.fails("POST", MLFLOW + "model-versions/transition-stage",
                "{\"name\":\"fraud\",\"version\":\"" + v1 + "\",\"stage\":\"Production\"}", admin, 400, "INVALID_STATE");
        var queue = http.ok("GET", "/api/v1/approvals?status=REJECTED", null, editor);
        assertThat(queue.path("model_versions").findValuesAsText("name")).contains("fraud");
        assertThat(http.ok("GET", "/api/v1/approvals", null, editor).path("protected_aliases").toString())
                .contains("champion", "production");

        // the audit log has the decision, and the alias change with the model's state before it
        var audit = http.ok("GET", "/api/v1/audit?max_results=200", null, admin).path("records");
        JsonNode aliasChange = null;
        for (var record : audit) {
            if (record.path("action").asText().equals("POST /api/2.0/mlflow/registered-models/alias")
                    && record.path("outcome").asInt() == 200 && record.toString().contains("champion")) {
                aliasChange = record;
                break; // the first champion
            }
        }
        assertThat(aliasChange).as("alias change in " + audit).isNotNull();
        assertThat(aliasChange.path("before").toString()).contains("\"challenger\"").doesNotContain("\"champion\"");
        assertThat(audit.toString()).contains("validated on the Q3 holdout");
    }

    @Test
    void gatesAskForEvidenceBeforeApproval() throws Exception {
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"loans\"}", editor);
        var v = register("loans", editor);
        // only admins set the policy
        var policy = "{\"require_validation\":true,\"require_model_card\":true,"
                + "\"fairness_bounds\":{\"demographic_parity_difference\":0.1}}";
        http.fails("PUT", "/api/v1/models/loans/approval-policy", policy, editor, 403, "PERMISSION_DENIED");
        http.ok("PUT", "/api/v1/models/loans/approval-policy", policy, admin);
        http.fails("PUT", "/api/v1/models/loans/approval-policy", "{\"fairness_bounds\":{\"dpd\":-1}}", admin, 400,
                "INVALID_PARAMETER_VALUE");

        var refused = http.fails("POST", approval("loans", v), "{\"decision\":\"approve\",\"comment\":\"ok\"}", approver,
                400, "INVALID_STATE");
        assertThat(refused).contains("no validation result", "no fairness metrics", "no model card");

        // failing evidence does not satisfy the gates
        http.ok("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"validation\",\"content\":{\"suite_name\":\"loans\",\"success\":false}}", editor);
        http.ok("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"fairness\",\"content\":{\"metrics\":{\"demographic_parity_difference\":-0.25}}}", editor);
        refused = http.fails("POST", approval("loans", v), "{\"decision\":\"approve\",\"comment\":\"ok\"}", approver,
                400, "INVALID_STATE");
        assertThat(refused).contains("latest validation result failed", "-0.25");
        http.fails("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"validation\",\"content\":{\"success\":\"yes\"}}", editor, 400, "INVALID_PARAMETER_VALUE");
        http.fails("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"vibes\",\"content\":{}}", editor, 400, "INVALID_PARAMETER_VALUE");

        // passing evidence and a written card open the gate
        http.ok("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"validation\",\"content\":{\"suite_name\":\"loans\",\"success\":true}}", editor);
        http.ok("POST", "/api/v1/models/loans/versions/" + v + "/evidence",
                "{\"kind\":\"fairness\",\"content\":{\"metrics\":{\"demographic_parity_difference\":0.04}}}", editor);
        http.ok("PUT", "/api/v1/models/loans/versions/" + v + "/card", "{\"owner\":\"risk team\"}", editor);
        assertThat(http.fails("POST", approval("loans", v), "{\"decision\":\"approve\",\"comment\":\"ok\"}", approver,
                400, "INVALID_STATE")).contains("'intended_use' is empty", "'limitations' is empty");
        http.ok("PUT", "/api/v1/models/loans/versions/" + v + "/card",
                "{\"intended_use\":\"pre-screening\",\"limitations\":\"not for final decisions\"}", editor);
        var pending = http.ok("GET", approval("loans", v), null, editor);
        assertThat(pending.path("unmet_gates")).isEmpty();
        assertThat(pending.path("evidence")).hasSize(4);
        var approved = http.ok("POST", approval("loans", v), "{\"decision\":\"approve\",\"comment\":\"gates pass\"}",
                approver);
        assertThat(approved.path("status").asText()).isEqualTo("APPROVED");
        http.ok("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"loans\",\"alias\":\"production\",\"version\":\"" + v + "\"}", approver);
        var card = http.ok("GET", "/api/v1/models/loans/versions/" + v + "/card", null, editor);
        assertThat(card.toString()).contains("erin");
        assertThat(Json.mapper().readTree(http.ok("GET", "/api/v1/models/loans/approval-policy", null, editor).toString())
                .path("require_validation").asBoolean()).isTrue();
    }

    @Test
    void governedModelsCannotBeSidestepped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var viewer = http.user("val", "viewer", admin);
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"gov\"}", editor);
        var onnx = OnnxTestModels.writeLinearRegression(dir.resolve("model.onnx"), new float[] {0.5f, -1f, 2f}, 0.1f);
        var descriptor = ModelPackage.forOnnx("model.onnx", OnnxSignatures.infer(onnx), null, "test").toYaml();
        var files = "/api/2.0/mlflow-artifacts/artifacts/registry/gov/pkg1/";
        assertThat(http.putBytes(files + "model.onnx", java.nio.file.Files.readAllBytes(onnx), editor).statusCode())
                .isEqualTo(200);
        assertThat(http.putBytes(files + ModelPackage.DESCRIPTOR_FILE, descriptor.getBytes(StandardCharsets.UTF_8), editor)
                .statusCode()).isEqualTo(200);
        var v1 = http.ok("POST", MLFLOW + "model-versions/create",
                "{\"name\":\"gov\",\"source\":\"mlflow-artifacts:/registry/gov/pkg1\"}", editor)
                .path("model_version").path("version").asText();

        // a registered version's files cannot change under it (so what is approved is what is served)
        var overwrite = http.putBytes(files + "model.onnx", new byte[] {1, 2, 3}, editor);
        assertThat(overwrite.statusCode()).as(overwrite.body()).isEqualTo(400);
        assertThat(overwrite.body()).contains("INVALID_STATE").contains("models:/gov/" + v1);
        http.fails("DELETE", files + "model.onnx", null, editor, 400, "INVALID_STATE");
        // the package area belongs to the model: someone without READ on it cannot fetch the files
        http.ok("POST", MLFLOW + "registered-models/permissions/create",
                "{\"name\":\"gov\",\"username\":\"val\",\"permission\":\"NO_PERMISSIONS\"}", editor);
        http.fails("GET", files + "model.onnx", null, viewer, 403, "PERMISSION_DENIED");
        http.fails("GET", "/api/2.0/mlflow-artifacts/artifacts?path=", null, editor, 403, "PERMISSION_DENIED");

        // deployments serve approved versions, or follow a protected alias
        http.fails("POST", "/api/v1/deployments", "{\"name\":\"gov-live\",\"model\":\"gov\",\"version\":\"" + v1
                + "\"}", editor, 400, "INVALID_STATE");
        http.ok("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"gov\",\"alias\":\"challenger\",\"version\":\"" + v1 + "\"}", editor);
        http.fails("POST", "/api/v1/deployments", "{\"name\":\"gov-live\",\"model\":\"gov\",\"alias\":\"challenger\"}",
                editor, 400, "INVALID_STATE");
        http.ok("POST", approval("gov", v1), "{\"decision\":\"approve\",\"comment\":\"ok\"}", approver);
        http.ok("POST", MLFLOW + "registered-models/alias",
                "{\"name\":\"gov\",\"alias\":\"champion\",\"version\":\"" + v1 + "\"}", approver);
        http.ok("POST", "/api/v1/deployments", "{\"name\":\"gov-live\",\"model\":\"gov\",\"alias\":\"champion\"}",
                editor);

        // calling it needs READ on its model
        var infer = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        var answer = http.ok("POST", "/v2/models/gov-live/infer", infer, approver);
        assertThat(answer.path("outputs").get(0).path("data").get(0).asDouble()).isCloseTo(4.6, within(1e-5));
        http.fails("POST", "/v2/models/gov-live/infer", infer, viewer, 403, "PERMISSION_DENIED");
        http.fails("GET", "/v2/models/gov-live", null, viewer, 403, "PERMISSION_DENIED");
        http.fails("POST", "/deployments/gov-live/invocations", "{\"inputs\":[[1,2,3]]}", viewer, 403,
                "PERMISSION_DENIED");
        assertThat(http.ok("GET", "/api/v1/deployments", null, viewer).path("deployments")).isEmpty();
        // ... over gRPC too
        var channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            var ready = ModelReadyRequest.newBuilder().setName("gov-live").build();
            assertThat(bearer(stub, approver).modelReady(ready).getReady()).isTrue();
            assertThatThrownBy(() -> bearer(stub, viewer).modelReady(ready))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // its monitoring follows the model too; removing it needs MANAGE (its creator's), not the role's EDIT
        http.ok("GET", "/api/v1/deployments/gov-live/monitor", null, approver);
        http.fails("GET", "/api/v1/deployments/gov-live/drift", null, viewer, 403, "PERMISSION_DENIED");
        http.fails("POST", "/api/v1/deployments/gov-live/feedback", "{\"feedback\":[]}", viewer, 403,
                "PERMISSION_DENIED");
        http.fails("DELETE", "/api/v1/deployments/gov-live", null, approver, 403, "PERMISSION_DENIED");

        // a governed model is renamed or deleted by admins only (its owner could leave its gates behind)
        http.ok("PUT", "/api/v1/models/gov/approval-policy", "{\"require_validation\":true}", admin);
        http.fails("POST", MLFLOW + "registered-models/rename", "{\"name\":\"gov\",\"new_name\":\"gov-old\"}", editor,
                403, "PERMISSION_DENIED");
        http.fails("DELETE", MLFLOW + "registered-models/delete?name=gov", null, editor, 403, "PERMISSION_DENIED");

        // version numbers are never reused, so "version 2" always means the same files
        var v2 = http.ok("POST", MLFLOW + "model-versions/create",
                "{\"name\":\"gov\",\"source\":\"mlflow-artifacts:/registry/gov/pkg2\"}", editor)
                .path("model_version").path("version").asText();
        http.ok("DELETE", MLFLOW + "model-versions/delete?name=gov&version=" + v2, null, editor);
        var v3 = http.ok("POST", MLFLOW + "model-versions/create",
                "{\"name\":\"gov\",\"source\":\"mlflow-artifacts:/registry/gov/pkg2\"}", editor)
                .path("model_version").path("version").asText();
        assertThat(Integer.parseInt(v3)).isEqualTo(Integer.parseInt(v2) + 1);
    }

    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub bearer(
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, String token) {
        var headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
