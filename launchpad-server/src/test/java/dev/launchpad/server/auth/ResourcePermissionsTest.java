package dev.launchpad.server.auth;

import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestHttp;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-experiment and per-registered-model permissions (MLflow's READ/EDIT/MANAGE/NO_PERMISSIONS) through
 * the real HTTP API and the official MLflow client: creators manage what they create, grants raise or
 * lower what a role gives, searches show only what a user may read, and only managers grant.
 */
class ResourcePermissionsTest {
    private static final String MLFLOW = "/api/2.0/mlflow/";
    private static Launchpad server;
    private static TestHttp http;
    private static String admin;
    private static String owner;
    private static String colleague;
    private static String viewer;

    @BeforeAll
    static void start() {
        server = TestServers.startWithAuth(TestDatabases.newSqliteUrl());
        http = new TestHttp(server.url());
        admin = server.firstStartToken().orElseThrow().secret();
        owner = http.user("olga", "editor", admin);
        colleague = http.user("carl", "editor", admin);
        viewer = http.user("vic", "viewer", admin);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void experimentGrantsRaiseAndLowerWhatRolesGive() {
        var id = http.ok("POST", MLFLOW + "experiments/create", "{\"name\":\"credit\"}", owner).path("experiment_id").asText();
        // the creator manages it
        var mine = http.ok("GET", MLFLOW + "experiments/permissions/get?experiment_id=" + id + "&username=olga", null, owner);
        assertThat(mine.path("experiment_permission").path("permission").asText()).isEqualTo("MANAGE");

        // a viewer may read but not log runs ... until granted EDIT on this experiment only
        http.ok("GET", MLFLOW + "experiments/get?experiment_id=" + id, null, viewer);
        http.fails("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"" + id + "\"}", viewer, 403, "PERMISSION_DENIED");
        http.ok("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"vic\",\"permission\":\"EDIT\"}", owner);
        var run = http.ok("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"" + id + "\"}", viewer)
                .path("run").path("info").path("run_id").asText();
        http.ok("POST", MLFLOW + "runs/log-metric", "{\"run_id\":\"" + run + "\",\"key\":\"auc\",\"value\":0.9,"
                + "\"timestamp\":1,\"step\":0}", viewer);
        http.fails("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"0\"}", viewer, 403, "PERMISSION_DENIED");

        // an editor lowered to READ cannot log to it any more; lowered to NO_PERMISSIONS cannot see it
        http.ok("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"carl\",\"permission\":\"READ\"}", owner);
        http.fails("POST", MLFLOW + "runs/log-metric", "{\"run_id\":\"" + run + "\",\"key\":\"auc\",\"value\":1,"
                + "\"timestamp\":2,\"step\":0}", colleague, 403, "PERMISSION_DENIED");
        http.ok("GET", MLFLOW + "runs/get?run_id=" + run, null, colleague);
        http.ok("PATCH", MLFLOW + "experiments/permissions/update",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"carl\",\"permission\":\"NO_PERMISSIONS\"}", owner);
        http.fails("GET", MLFLOW + "experiments/get?experiment_id=" + id, null, colleague, 403, "PERMISSION_DENIED");
        http.fails("GET", MLFLOW + "runs/get?run_id=" + run, null, colleague, 403, "PERMISSION_DENIED");
        http.fails("GET", MLFLOW + "experiments/get-by-name?experiment_name=credit", null, colleague, 403,
                "PERMISSION_DENIED");
        http.fails("POST", MLFLOW + "runs/search", "{\"experiment_ids\":[\"" + id + "\"]}", colleague, 403,
                "PERMISSION_DENIED");
        var seen = http.ok("POST", MLFLOW + "experiments/search", "{\"max_results\":100}", colleague);
        assertThat(seen.path("experiments").findValuesAsText("name")).doesNotContain("credit").contains("Default");
        assertThat(http.ok("POST", MLFLOW + "experiments/search", "{\"max_results\":100}", owner)
                .path("experiments").findValuesAsText("name")).contains("credit");

        // only a manager grants; the official MLflow client sees the same rules
        http.fails("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"carl\",\"permission\":\"MANAGE\"}", viewer, 403,
                "PERMISSION_DENIED");
        var carlClient = new MlflowClient(new BasicMlflowHostCreds(server.url(), colleague));
        assertThatThrownBy(() -> carlClient.getExperiment(id)).isInstanceOfSatisfying(MlflowHttpException.class,
                e -> assertThat(e.getStatusCode()).isEqualTo(403));
        http.ok("DELETE", MLFLOW + "experiments/permissions/delete?experiment_id=" + id + "&username=carl", null, owner);
        assertThat(carlClient.getExperiment(id).getName()).isEqualTo("credit");

        // bad grants are clear errors
        http.fails("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"nobody\",\"permission\":\"READ\"}", owner, 404,
                "RESOURCE_DOES_NOT_EXIST");
        http.fails("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"carl\",\"permission\":\"OWN\"}", owner, 400,
                "INVALID_PARAMETER_VALUE");
        http.fails("GET", MLFLOW + "experiments/permissions/get?experiment_id=424242&username=carl", null, admin, 404,
                "RESOURCE_DOES_NOT_EXIST");
        var listed = http.ok("GET", "/api/v1/experiments/" + id + "/permissions", null, owner);
        assertThat(listed.path("permissions").findValuesAsText("username")).containsExactly("olga", "vic");
    }

    @Test
    void registeredModelGrantsFollowTheModelThroughARename() {
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"scorer\"}", owner);
        http.ok("POST", MLFLOW + "registered-models/permissions/create",
                "{\"name\":\"scorer\",\"username\":\"carl\",\"permission\":\"NO_PERMISSIONS\"}", owner);
        http.fails("GET", MLFLOW + "registered-models/get?name=scorer", null, colleague, 403, "PERMISSION_DENIED");
        var search = http.ok("GET", MLFLOW + "registered-models/search?max_results=100", null, colleague);
        assertThat(search.path("registered_models").findValuesAsText("name")).doesNotContain("scorer");
        // a viewer reads it by default, but cannot change it
        http.ok("GET", MLFLOW + "registered-models/get?name=scorer", null, viewer);
        http.fails("PATCH", MLFLOW + "registered-models/update", "{\"name\":\"scorer\",\"description\":\"x\"}", viewer,
                403, "PERMISSION_DENIED");
        // renaming needs MANAGE, and the grants move with the model
        http.fails("POST", MLFLOW + "registered-models/rename", "{\"name\":\"scorer\",\"new_name\":\"scorer2\"}", viewer,
                403, "PERMISSION_DENIED");
        http.ok("POST", MLFLOW + "registered-models/rename", "{\"name\":\"scorer\",\"new_name\":\"scorer2\"}", owner);
        http.fails("GET", MLFLOW + "registered-models/get?name=scorer2", null, colleague, 403, "PERMISSION_DENIED");
        var grants = http.ok("GET", "/api/v1/users/carl/permissions", null, colleague);
        assertThat(grants.path("permissions").findValuesAsText("name")).contains("scorer2");
        http.fails("GET", "/api/v1/users/olga/permissions", null, colleague, 403, "PERMISSION_DENIED");
        // deleting the model forgets its grants: a new model of the same name starts clean
        http.ok("DELETE", MLFLOW + "registered-models/delete?name=scorer2", null, owner);
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"scorer2\"}", colleague);
        http.ok("GET", MLFLOW + "registered-models/get?name=scorer2", null, colleague);
    }

    @Test
    void lineageShowsOnlyWhatTheCallerMayRead() {
        var experiment = http.ok("POST", MLFLOW + "experiments/create", "{\"name\":\"lineage-exp\"}", owner)
                .path("experiment_id").asText();
        var run = http.ok("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"" + experiment + "\"}", owner)
                .path("run").path("info").path("run_id").asText();
        http.ok("POST", MLFLOW + "runs/log-inputs", "{\"run_id\":\"" + run + "\",\"datasets\":[{\"dataset\":{"
                + "\"name\":\"train\",\"digest\":\"d1g357\",\"source_type\":\"local\",\"source\":\"/data/train.csv\"}}]}",
                owner);
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"lineage-model\"}", owner);
        http.ok("POST", MLFLOW + "model-versions/create", "{\"name\":\"lineage-model\",\"source\":\"runs:/" + run
                + "/model\",\"run_id\":\"" + run + "\"}", owner);
        http.ok("POST", MLFLOW + "registered-models/permissions/create",
                "{\"name\":\"lineage-model\",\"username\":\"carl\",\"permission\":\"NO_PERMISSIONS\"}", owner);

        http.fails("GET", "/api/v1/lineage?model=lineage-model&version=1", null, colleague, 403, "PERMISSION_DENIED");
        http.fails("GET", "/api/v1/lineage/openlineage?model=lineage-model&version=1", null, colleague, 403,
                "PERMISSION_DENIED");
        var full = http.ok("GET", "/api/v1/lineage?dataset_digest=d1g357", null, owner);
        assertThat(full.path("nodes").findValuesAsText("type")).contains("dataset", "run", "model_version");
        var partial = http.ok("GET", "/api/v1/lineage?dataset_digest=d1g357", null, colleague);
        assertThat(partial.path("nodes").findValuesAsText("type")).contains("dataset", "run")
                .doesNotContain("model_version", "registered_model");
        assertThat(partial.toString()).doesNotContain("lineage-model");
    }

    @Test
    void idsWrittenAnotherWayAndIndirectRoutesMeetTheSameGrants() {
        var dora = http.user("dora", "editor", admin);
        var id = http.ok("POST", MLFLOW + "experiments/create", "{\"name\":\"sealed\"}", owner).path("experiment_id").asText();
        var run = http.ok("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"" + id + "\"}", owner)
                .path("run").path("info").path("run_id").asText();
        http.ok("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"" + id + "\",\"username\":\"dora\",\"permission\":\"NO_PERMISSIONS\"}", owner);
        for (var written : new String[] {id, "0" + id, "%2B" + id, "00" + id}) {
            http.fails("GET", MLFLOW + "experiments/get?experiment_id=" + written, null, dora, 403, "PERMISSION_DENIED");
        }
        http.fails("POST", MLFLOW + "runs/create", "{\"experiment_id\":\"+" + id + "\"}", dora, 403, "PERMISSION_DENIED");
        http.fails("POST", MLFLOW + "runs/search", "{\"experiment_ids\":[\"0" + id + "\"]}", dora, 403,
                "PERMISSION_DENIED");
        // a run's artifacts follow its experiment, also written another way
        http.fails("GET", "/api/2.0/mlflow-artifacts/artifacts?path=" + id + "/" + run, null, dora, 403,
                "PERMISSION_DENIED");
        http.fails("GET", "/api/2.0/mlflow-artifacts/artifacts?path=0" + id + "/" + run, null, dora, 403,
                "PERMISSION_DENIED");
        http.fails("GET", MLFLOW + "artifacts/list?run_id=" + run, null, dora, 403, "PERMISSION_DENIED");
        // registering a version from a run one may not read is refused
        http.ok("POST", MLFLOW + "registered-models/create", "{\"name\":\"doras\"}", dora);
        http.fails("POST", MLFLOW + "model-versions/create", "{\"name\":\"doras\",\"source\":\"runs:/" + run
                + "/model\"}", dora, 403, "PERMISSION_DENIED");
        http.fails("POST", MLFLOW + "model-versions/create", "{\"name\":\"doras\",\"source\":\"x\",\"run_id\":\""
                + run + "\"}", dora, 403, "PERMISSION_DENIED");
        // without experiment_id a run goes to the default experiment, and that is what is checked
        http.ok("POST", MLFLOW + "experiments/permissions/create",
                "{\"experiment_id\":\"0\",\"username\":\"dora\",\"permission\":\"READ\"}", admin);
        http.fails("POST", MLFLOW + "runs/create", "{}", dora, 403, "PERMISSION_DENIED");
    }
}
