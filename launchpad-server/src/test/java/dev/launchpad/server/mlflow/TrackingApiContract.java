package dev.launchpad.server.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tracking API driven over HTTP by the official MLflow Java client (and raw HTTP where the
 * client has no method), run once per database backend by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TrackingApiContract {
    private Launchpad server;
    private MlflowClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    abstract String databaseUrl();

    @BeforeAll
    void startServer() {
        server = TestServers.start(databaseUrl());
        client = new MlflowClient(server.url());
    }

    @AfterAll
    void stopServer() {
        client.close();
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---------------------------------------------------------------- experiments

    @Test
    void defaultExperimentExistsFromTheStart() {
        var experiment = client.getExperiment("0");
        assertThat(experiment.getName()).isEqualTo("Default");
        assertThat(experiment.getLifecycleStage()).isEqualTo("active");
    }

    @Test
    void experimentCrud() {
        var name = unique("crud");
        var id = client.createExperiment(CreateExperiment.newBuilder().setName(name)
                .addTags(ExperimentTag.newBuilder().setKey("team").setValue("risk")).build());
        var experiment = client.getExperiment(id);
        assertThat(experiment.getName()).isEqualTo(name);
        assertThat(experiment.getArtifactLocation()).isEqualTo("mlflow-artifacts:/" + id);
        assertThat(experiment.getTagsList()).extracting(ExperimentTag::getKey, ExperimentTag::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("team", "risk"));
        assertThat(client.getExperimentByName(name)).map(e -> e.getExperimentId()).contains(id);
        assertThat(client.getExperimentByName(unique("missing"))).isEmpty();

        client.renameExperiment(id, name + "-renamed");
        assertThat(client.getExperiment(id).getName()).isEqualTo(name + "-renamed");

        client.setExperimentTag(id, "stage", "pilot");
        assertThat(client.getExperiment(id).getTagsList()).extracting(ExperimentTag::getKey)
                .containsExactly("stage", "team");
        post("experiments/delete-experiment-tag", Map.of("experiment_id", id, "key", "stage"));
        assertThat(client.getExperiment(id).getTagsList()).extracting(ExperimentTag::getKey).containsExactly("team");

        client.deleteExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("deleted");
        client.restoreExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("active");
    }

    @Test
    void duplicateExperimentNameIsRejected() {
        var name = unique("dup");
        client.createExperiment(name);
        assertThatThrownBy(() -> client.createExperiment(name))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS")
                            .contains("Experiment '" + name + "' already exists.");
                });
    }

    @Test
    void searchExperimentsFiltersOrdersAndPages() {
        var prefix = unique("page");
        var ids = new ArrayList<String>();
        for (int i = 0; i < 25; i++) {
            ids.add(client.createExperiment(CreateExperiment.newBuilder().setName(prefix + "-" + (char) ('a' + i))
                    .addTags(ExperimentTag.newBuilder().setKey("parity").setValue(i % 2 == 0 ? "even" : "odd"))
                    .build()));
        }
        var seen = new ArrayList<String>();
        var page = client.searchExperiments("name LIKE '" + prefix + "%'", ViewType.ACTIVE_ONLY, 10,
                List.of("name DESC"));
        assertThat(page.getItems()).hasSize(10);
        page.getItems().forEach(e -> seen.add(e.getName()));
        while (page.hasNextPage()) {
            page = (org.mlflow.tracking.ExperimentsPage) page.getNextPage();
            page.getItems().forEach(e -> seen.add(e.getName()));
        }
        assertThat(seen).hasSize(25);
        assertThat(seen.getFirst()).isEqualTo(prefix + "-y");
        assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        var odd = client.searchExperiments("name LIKE '" + prefix + "%' AND tags.parity = 'odd'",
                ViewType.ACTIVE_ONLY, 100, List.of("name ASC"));
        assertThat(odd.getItems()).hasSize(12);

        client.deleteExperiment(ids.getFirst());
        assertThat(client.searchExperiments("name LIKE '" + prefix + "%'", ViewType.ACTIVE_ONLY, 100, List.of())
                .getItems()).hasSize(24);
        assertThat(client.searchExperiments("name LIKE '" + prefix + "%'", ViewType.DELETED_ONLY, 100, List.of())
                .getItems()).extracting(e -> e.getExperimentId()).containsExactly(ids.getFirst());
        assertThat(client.searchExperiments("name ILIKE '" + prefix.toUpperCase() + "%'", ViewType.ALL, 100,
                List.of()).getItems()).hasSize(25);
    }

    // ---------------------------------------------------------------- runs

    @Test
    void runLifecycleAndSourceVersion() {
        var experimentId = client.createExperiment(unique("runs"));
        var info = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setRunName("first")
                .setStartTime(1_000L).setUserId("alice")
                .addTags(RunTag.newBuilder().setKey("mlflow.source.git.commit").setValue("0a1b2c3d")).build());
        assertThat(info.getRunName()).isEqualTo("first");
        assertThat(info.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(info.getArtifactUri()).isEqualTo("mlflow-artifacts:/" + experimentId + "/" + info.getRunId()
                + "/artifacts");

        var run = client.getRun(info.getRunId());
        assertThat(tags(run)).containsEntry("mlflow.source.git.commit", "0a1b2c3d")
                .containsEntry("mlflow.runName", "first");
        assertThat(run.getInfo().getUserId()).isEqualTo("alice");
        assertThat(run.getInfo().getStartTime()).isEqualTo(1_000L);

        client.setTerminated(info.getRunId(), RunStatus.FINISHED, 5_000L);
        run = client.getRun(info.getRunId());
        assertThat(run.getInfo().getStatus()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.getInfo().getEndTime()).isEqualTo(5_000L);

        var updated = post("runs/update", Map.of("run_id", info.getRunId(), "run_name", "renamed"));
        assertThat(updated.path("run_info").path("run_name").asText()).isEqualTo("renamed");
        assertThat(tags(client.getRun(info.getRunId()))).containsEntry("mlflow.runName", "renamed");

        client.deleteRun(info.getRunId());
        assertThat(client.getRun(info.getRunId()).getInfo().getLifecycleStage()).isEqualTo("deleted");
        assertThat(client.searchRuns(List.of(experimentId), "", ViewType.ACTIVE_ONLY)).isEmpty();
        assertThat(client.searchRuns(List.of(experimentId), "", ViewType.DELETED_ONLY))
                .extracting(RunInfo::getRunId).containsExactly(info.getRunId());
        assertThatThrownBy(() -> client.logParam(info.getRunId(), "p", "v"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("must be in the 'active' state"));
        client.restoreRun(info.getRunId());
        assertThat(client.searchRuns(List.of(experimentId), "", ViewType.ACTIVE_ONLY)).hasSize(1);
    }

    @Test
    void runWithoutNameGetsAGeneratedOneAndDefaultExperiment() {
        var info = client.createRun();
        assertThat(info.getExperimentId()).isEqualTo("0");
        assertThat(info.getRunName()).matches("[a-z]+-[a-z]+-\\d+");
    }

    @Test
    void deletingAnExperimentDeletesItsRuns() {
        var experimentId = client.createExperiment(unique("cascade"));
        var run = client.createRun(experimentId);
        client.deleteExperiment(experimentId);
        assertThat(client.getRun(run.getRunId()).getInfo().getLifecycleStage()).isEqualTo("deleted");
        assertThatThrownBy(() -> client.createRun(experimentId)).isInstanceOf(MlflowHttpException.class);
        client.restoreExperiment(experimentId);
        assertThat(client.getRun(run.getRunId()).getInfo().getLifecycleStage()).isEqualTo("active");
    }

    @Test
    void paramsAreImmutable() {
        var run = client.createRun(client.createExperiment(unique("params"))).getRunId();
        client.logParam(run, "lr", "0.1");
        client.logParam(run, "lr", "0.1");
        assertThatThrownBy(() -> client.logParam(run, "lr", "0.2"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getBodyMessage()).contains("INVALID_PARAMETER_VALUE")
                            .contains("Changing param values is not allowed");
                });
        assertThat(client.getRun(run).getData().getParamsList()).extracting(Param::getKey, Param::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lr", "0.1"));
    }

    @Test
    void metricsKeepNanAndInfinities() {
        var run = client.createRun(client.createExperiment(unique("nan"))).getRunId();
        client.logMetric(run, "nan", Double.NaN, 10, 0);
        client.logMetric(run, "pos", Double.POSITIVE_INFINITY, 10, 0);
        client.logMetric(run, "neg", Double.NEGATIVE_INFINITY, 10, 0);
        client.logMetric(run, "loss", 0.5, 10, 1);
        client.logMetric(run, "loss", 0.25, 20, 2);
        client.logMetric(run, "loss", 0.9, 30, 1);
        var latest = client.getRun(run).getData().getMetricsList().stream()
                .collect(Collectors.toMap(Metric::getKey, Metric::getValue));
        assertThat(latest.get("nan")).isNaN();
        assertThat(latest.get("pos")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(latest.get("neg")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(latest.get("loss")).as("latest = highest step, then timestamp").isEqualTo(0.25);
        assertThat(client.getMetricHistory(run, "nan")).singleElement().satisfies(m ->
                assertThat(m.getValue()).isNaN());
        assertThat(client.getMetricHistory(run, "loss")).extracting(Metric::getValue).containsExactly(0.5, 0.25, 0.9);
    }

    @Test
    void metricHistoryOf26000PointsWithPaging() throws Exception {
        var run = client.createRun(client.createExperiment(unique("history"))).getRunId();
        for (int batch = 0; batch < 26; batch++) {
            var metrics = new ArrayList<Metric>();
            for (int i = 0; i < 1000; i++) {
                int step = batch * 1000 + i;
                metrics.add(Metric.newBuilder().setKey("loss").setValue(1.0 / (step + 1)).setTimestamp(step)
                        .setStep(step).build());
            }
            client.logBatch(run, metrics, List.of(), List.of());
        }
        // The Java client asks for pages of 25 000 and gets the whole history (see MlflowTrackingApi).
        var all = client.getMetricHistory(run, "loss");
        assertThat(all).hasSize(26_000);
        assertThat(all).extracting(Metric::getStep).isSorted();
        assertThat(all.get(all.size() - 1).getValue()).isEqualTo(1.0 / 26_000);

        var paged = new ArrayList<Long>();
        String token = null;
        int pages = 0;
        do {
            var url = "/api/2.0/mlflow/metrics/get-history?run_id=" + run + "&metric_key=loss&max_results=10000"
                    + (token == null ? "" : "&page_token=" + java.net.URLEncoder.encode(token,
                    java.nio.charset.StandardCharsets.UTF_8));
            var page = json(send("GET", url, null).body());
            page.path("metrics").forEach(m -> paged.add(m.path("step").asLong()));
            token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).hasSize(26_000).isSorted().doesNotHaveDuplicates();
        assertThat(client.getRun(run).getData().getMetricsList()).singleElement()
                .satisfies(m -> assertThat(m.getStep()).isEqualTo(25_999));
    }

    @Test
    void logBatchWritesMetricsParamsAndTags() {
        var run = client.createRun(client.createExperiment(unique("batch"))).getRunId();
        client.logBatch(run,
                List.of(Metric.newBuilder().setKey("acc").setValue(0.9).setTimestamp(1).setStep(0).build(),
                        Metric.newBuilder().setKey("acc").setValue(0.95).setTimestamp(2).setStep(1).build()),
                List.of(Param.newBuilder().setKey("depth").setValue("6").build()),
                List.of(RunTag.newBuilder().setKey("team").setValue("fraud").build()));
        var data = client.getRun(run).getData();
        assertThat(data.getMetricsList()).singleElement().satisfies(m -> assertThat(m.getValue()).isEqualTo(0.95));
        assertThat(data.getParamsList()).extracting(Param::getKey).containsExactly("depth");
        assertThat(tags(client.getRun(run))).containsEntry("team", "fraud");
    }

    @Test
    void logBatchLimitsAreMlflows() {
        var run = client.createRun(client.createExperiment(unique("limits"))).getRunId();
        var metrics = IntStream.range(0, 1001).mapToObj(i -> Metric.newBuilder().setKey("m").setValue(i)
                .setTimestamp(i).setStep(i).build()).toList();
        assertThatThrownBy(() -> client.logBatch(run, metrics, List.of(), List.of()))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getBodyMessage()).contains("at most 1000 metrics");
                });
        var params = IntStream.range(0, 101).mapToObj(i -> Param.newBuilder().setKey("p" + i).setValue("v")
                .build()).toList();
        assertThatThrownBy(() -> client.logBatch(run, List.of(), params, List.of()))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("at most 100 params"));
        var tags = IntStream.range(0, 101).mapToObj(i -> RunTag.newBuilder().setKey("t" + i).setValue("v")
                .build()).toList();
        assertThatThrownBy(() -> client.logBatch(run, List.of(), List.of(), tags))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("at most 100 tags"));
        assertThatThrownBy(() -> client.logParam(run, "k".repeat(251), "v"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("exceeded length limit of 250"));
        // nothing from the rejected batches was written
        assertThat(client.getRun(run).getData().getMetricsCount()).isZero();
        assertThat(client.getRun(run).getData().getParamsCount()).isZero();
    }

    @Test
    void failedBatchIsAtomic() {
        var run = client.createRun(client.createExperiment(unique("atomic"))).getRunId();
        client.logParam(run, "p", "1");
        assertThatThrownBy(() -> client.logBatch(run,
                List.of(Metric.newBuilder().setKey("m").setValue(1).setTimestamp(1).build()),
                List.of(Param.newBuilder().setKey("p").setValue("2").build()), List.of()))
                .isInstanceOf(MlflowHttpException.class);
        assertThat(client.getRun(run).getData().getMetricsCount()).isZero();
        assertThat(client.getMetricHistory(run, "m")).isEmpty();
    }

    @Test
    void tagsCanBeSetAndDeleted() {
        var run = client.createRun(client.createExperiment(unique("tags"))).getRunId();
        client.setTag(run, "owner", "bob");
        client.setTag(run, "owner", "carol");
        assertThat(tags(client.getRun(run))).containsEntry("owner", "carol");
        client.deleteTag(run, "owner");
        assertThat(tags(client.getRun(run))).doesNotContainKey("owner");
        assertThatThrownBy(() -> client.deleteTag(run, "owner"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void logInputsRecordsDatasetVersions() {
        var experimentId = client.createExperiment(unique("inputs"));
        var run = client.createRun(experimentId).getRunId();
        var dataset = Map.of("name", "transactions", "digest", "d41d8cd9", "source_type", "local",
                "source", "{\"uri\": \"file:///data/tx.parquet\"}", "schema", "{\"mlflow_colspec\": []}");
        var body = Map.of("run_id", run, "datasets", List.of(Map.of("dataset", dataset,
                "tags", List.of(Map.of("key", "mlflow.data.context", "value", "training")))));
        post("runs/log-inputs", body);
        post("runs/log-inputs", body); // idempotent
        var got = json(client.sendGet("runs/get?run_id=" + run)).path("run").path("inputs").path("dataset_inputs");
        assertThat(got).hasSize(1);
        assertThat(got.get(0).path("dataset").path("digest").asText()).isEqualTo("d41d8cd9");
        assertThat(got.get(0).path("tags").get(0).path("value").asText()).isEqualTo("training");
        var other = client.createRun(experimentId).getRunId();
        assertThat(client.searchRuns(List.of(experimentId), "datasets.digest = 'd41d8cd9'"))
                .extracting(RunInfo::getRunId).containsExactly(run);
        assertThat(client.searchRuns(List.of(experimentId), "datasets.context = 'training'"))
                .extracting(RunInfo::getRunId).containsExactly(run).doesNotContain(other);
    }

    // ---------------------------------------------------------------- search

    @Test
    void searchRunsWithFiltersAndOrdering() {
        var experimentId = client.createExperiment(unique("search"));
        var runIds = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            var run = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setRunName("run-" + i)
                    .setStartTime(1000L + i).build()).getRunId();
            runIds.add(run);
            client.logBatch(run,
                    List.of(Metric.newBuilder().setKey("acc").setValue(i / 10.0).setTimestamp(1).build()),
                    List.of(Param.newBuilder().setKey("model").setValue(i % 2 == 0 ? "xgb" : "mlp").build()),
                    List.of(RunTag.newBuilder().setKey("team").setValue(i < 5 ? "Fraud" : "risk").build()));
            if (i >= 8) {
                client.setTerminated(run, RunStatus.FINISHED);
            }
        }
        var ids = List.of(experimentId);
        assertThat(names(client.searchRuns(ids, "metrics.acc > 0.55", ViewType.ACTIVE_ONLY, 100,
                List.of("metrics.acc DESC")).getItems())).containsExactly("run-9", "run-8", "run-7", "run-6");
        assertThat(names(client.searchRuns(ids, "params.model = 'xgb' AND metrics.acc <= 0.4", ViewType.ACTIVE_ONLY,
                100, List.of("metrics.acc ASC")).getItems())).containsExactly("run-0", "run-2", "run-4");
        assertThat(names(client.searchRuns(ids, "params.model != 'xgb' AND metrics.acc >= 0.5", ViewType.ACTIVE_ONLY,
                100, List.of("attributes.start_time")).getItems())).containsExactly("run-5", "run-7", "run-9");
        assertThat(client.searchRuns(ids, "tags.team LIKE 'F%'")).hasSize(5);
        assertThat(client.searchRuns(ids, "tags.team LIKE 'f%'")).isEmpty();
        assertThat(client.searchRuns(ids, "tags.team ILIKE 'f%'")).hasSize(5);
        assertThat(client.searchRuns(ids, "attributes.status = 'FINISHED'")).hasSize(2);
        assertThat(client.searchRuns(ids, "attributes.status != 'FINISHED'")).hasSize(8);
        assertThat(client.searchRuns(ids, "attributes.run_id IN ('" + runIds.get(1) + "', '" + runIds.get(3) + "')"))
                .extracting(RunInfo::getRunId).containsExactlyInAnyOrder(runIds.get(1), runIds.get(3));
        assertThat(client.searchRuns(ids, "params.model NOT IN ('xgb')")).hasSize(5);
        assertThat(client.searchRuns(ids, "attributes.run_name = 'run-3'")).extracting(RunInfo::getRunName)
                .containsExactly("run-3");
        assertThat(client.searchRuns(ids, "metrics.acc = 0.3 AND tags.team = 'Fraud'")).hasSize(1);
        assertThat(client.searchRuns(ids, "metrics.missing > 0")).isEmpty();
        assertThat(client.searchRuns(ids, "attributes.start_time >= 1005")).hasSize(5);

        // default order: start_time DESC; paging walks every run once
        var seen = new ArrayList<String>();
        var page = client.searchRuns(ids, "", ViewType.ACTIVE_ONLY, 3, List.of());
        page.getItems().forEach(r -> seen.add(r.getInfo().getRunName()));
        while (page.hasNextPage()) {
            page = (org.mlflow.tracking.RunsPage) page.getNextPage();
            page.getItems().forEach(r -> seen.add(r.getInfo().getRunName()));
        }
        assertThat(seen).containsExactly("run-9", "run-8", "run-7", "run-6", "run-5", "run-4", "run-3", "run-2",
                "run-1", "run-0");
        // ordering by param, then missing metric values last
        assertThat(names(client.searchRuns(ids, "", ViewType.ACTIVE_ONLY, 3, List.of("params.model ASC",
                "metrics.acc DESC")).getItems())).containsExactly("run-9", "run-7", "run-5");
    }

    @Test
    void searchRejectsBadFiltersAndLimits() {
        var ids = List.of("0");
        for (var filter : List.of("metrics.acc > 'high'", "params.p > 1", "bogus.x = 'y'", "metrics.a = 1 OR metrics.b = 2",
                "attributes.nope = 'x'")) {
            assertThatThrownBy(() -> client.searchRuns(ids, filter)).as(filter)
                    .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                        assertThat(e.getStatusCode()).isEqualTo(400);
                        assertThat(e.getBodyMessage()).contains("INVALID_PARAMETER_VALUE");
                    });
        }
        assertThatThrownBy(() -> client.searchRuns(ids, "", ViewType.ALL, 50_001))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("max_results"));
        assertThat(client.searchRuns(ids, "", ViewType.ALL, 50_000).getItems()).isNotNull();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void unknownRunIsResourceDoesNotExist() {
        assertThatThrownBy(() -> client.getRun("0123456789abcdef0123456789abcdef"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    var body = json(e.getBodyMessage());
                    assertThat(body.path("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
                    assertThat(body.path("message").asText()).isEqualTo("Run '0123456789abcdef0123456789abcdef' not found");
                });
        assertThatThrownBy(() -> client.getExperiment("987654"))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getBodyMessage()).contains("RESOURCE_DOES_NOT_EXIST");
                });
    }

    @Test
    void badInputGetsAClearClientError() throws Exception {
        var run = client.createRun().getRunId();
        var cases = List.of(
                new BadCase("POST", "runs/log-metric", "{not json", 400, "MALFORMED_REQUEST"),
                new BadCase("POST", "runs/log-metric", "[1,2]", 400, "MALFORMED_REQUEST"),
                new BadCase("POST", "runs/log-metric", "{\"run_id\":\"" + run + "\",\"key\":\"m\",\"value\":\"high\",\"timestamp\":1}",
                        400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/log-metric", "{\"run_id\":\"" + run + "\",\"key\":\"m\",\"value\":1}",
                        400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/log-parameter", "{\"run_id\":\"" + run + "\",\"key\":7,\"value\":\"v\"}",
                        400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/log-batch", "{\"run_id\":\"" + run + "\",\"metrics\":{}}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/log-batch", "{\"run_id\":\"" + run + "\",\"params\":[{\"key\":\"x\"}]}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/log-parameter", "{\"run_id\":\"" + run + "\",\"key\":\"../etc\",\"value\":\"v\"}",
                        400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "experiments/create", "{}", 400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "experiments/create", "{\"name\": [\"a\"]}", 400, "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/create", "{\"experiment_id\":\"0\",\"start_time\":\"soon\"}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/update", "{\"run_id\":\"" + run + "\",\"status\":\"DONE\"}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/search", "{\"experiment_ids\":[\"0\"],\"page_token\":\"garbage\"}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("POST", "runs/search", "{\"experiment_ids\":[\"0\"],\"run_view_type\":\"SOME\"}", 400,
                        "INVALID_PARAMETER_VALUE"),
                new BadCase("GET", "runs/get?run_id=..%2F..%2Fetc", null, 400, "INVALID_PARAMETER_VALUE"),
                new BadCase("GET", "metrics/get-history?run_id=" + run, null, 400, "INVALID_PARAMETER_VALUE"),
                new BadCase("GET", "experiments/get-by-name", null, 400, "INVALID_PARAMETER_VALUE"),
                new BadCase("GET", "no/such/endpoint", null, 404, "ENDPOINT_NOT_FOUND"),
                new BadCase("GET", "runs/create", null, 405, "METHOD_NOT_ALLOWED"));
        for (var c : cases) {
            var response = send(c.method(), "/api/2.0/mlflow/" + c.path(), c.body());
            assertThat(response.statusCode()).as(c.toString()).isEqualTo(c.status());
            var body = json(response.body());
            assertThat(body.path("error_code").asText()).as(c.toString()).isEqualTo(c.errorCode());
            assertThat(body.path("message").asText()).as(c.toString()).isNotBlank().doesNotContain("Exception");
        }
        assertThat(client.getRun(run).getData().getMetricsCount()).isZero();
    }

    @Test
    void ajaxPrefixServesTheSameApi() throws Exception {
        var response = send("GET", "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("experiment").path("name").asText()).isEqualTo("Default");
    }

    record BadCase(String method, String path, String body, int status, String errorCode) {
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> names(List<Run> runs) {
        return runs.stream().map(r -> r.getInfo().getRunName()).toList();
    }

    private static Map<String, String> tags(Run run) {
        return run.getData().getTagsList().stream().collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
    }

    private JsonNode post(String path, Object body) {
        try {
            return json(client.sendPost(path, Json.mapper().writeValueAsString(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
