package dev.launchpad.platform.govern.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.govern.lineage.LineageGraph.Edge;
import dev.launchpad.platform.govern.lineage.LineageGraph.Node;
import dev.launchpad.platform.govern.lineage.LineageGraph.NodeType;
import dev.launchpad.platform.govern.lineage.LineageGraph.Relation;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases.Backend;
import dev.launchpad.platform.tracking.Dataset;
import dev.launchpad.platform.tracking.DatasetInput;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.MlflowTags;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.platform.tracking.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Lineage graphs and their OpenLineage events, on SQLite and PostgreSQL: a run that consumed two datasets,
 * registered as version 1 of "fraud" and deployed through the alias "champion", next to a second run
 * (sharing one dataset) registered as version 2 and deployed pinned.
 */
class LineageServiceTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String TRAIN_SCHEMA = "{\"mlflow_colspec\": [{\"type\": \"double\", \"name\": \"amount\"},"
            + " {\"type\": \"long\", \"name\": \"label\"}]}";

    /** The services over one fresh database, with the scenario above in it. */
    private record World(Database db, RunService runs, RegistryService registry, DeploymentService deployments,
                         LineageService lineage, String run1, String run2) implements AutoCloseable {
        @Override
        public void close() {
            db.close();
        }
    }

    private static World world(Backend backend) {
        var db = Database.open(backend.newDatabaseUrl());
        var clock = Clock.fixed(NOW, ZoneOffset.UTC);
        var experiments = new ExperimentService(db, clock);
        var runs = new RunService(db, clock, experiments);
        var registry = new RegistryService(db, clock, runs);
        var deployments = new DeploymentService(db, clock, registry);
        var experimentId = experiments.create("fraud-training", null, List.of());

        var run1 = runs.create(experimentId, "alice", "gbm-1", NOW.toEpochMilli() - 60_000,
                List.of(new Tag(MlflowTags.GIT_COMMIT, "abc123"))).info().runId();
        runs.logInputs(run1, List.of(
                input("training", new Dataset("transactions", "d1gest01", "s3",
                        "{\"uri\": \"s3://lake/fraud/train.parquet\"}", TRAIN_SCHEMA, null)),
                input("eval", new Dataset("holdout", "d2gest02", "local", "{\"uri\": \"file:///data/holdout.csv\"}",
                        null, null))));
        runs.update(run1, "FINISHED", NOW.toEpochMilli() - 1_000, null);

        var run2 = runs.create(experimentId, "bob", "gbm-2", NOW.toEpochMilli() - 30_000, List.of()).info().runId();
        runs.logInputs(run2, List.of(input("training", new Dataset("transactions", "d1gest01", "s3",
                "{\"uri\": \"s3://lake/fraud/train.parquet\"}", TRAIN_SCHEMA, null))));

        registry.createRegisteredModel("fraud", "Card fraud", List.of());
        registry.createModelVersion("fraud", "runs:/" + run1 + "/model", run1, List.of(), null, "first", null);
        registry.createModelVersion("fraud", "runs:/" + run2 + "/model", run2, List.of(), null, null, null);
        registry.setAlias("fraud", "champion", "1");
        deployments.create("fraud-prod", new DeploymentService.Spec("fraud", null, "champion", null, "production"));
        deployments.create("fraud-v2", new DeploymentService.Spec("fraud", 2, null, null, null));
        return new World(db, runs, registry, deployments, new LineageService(db, registry), run1, run2);
    }

    private static DatasetInput input(String context, Dataset dataset) {
        return new DatasetInput(List.of(new Tag(MlflowTags.DATASET_CONTEXT, context)), dataset);
    }

    private static List<String> ids(LineageGraph graph) {
        return graph.nodes().stream().map(Node::id).toList();
    }

    private static List<String> edges(LineageGraph graph) {
        return graph.edges().stream().map(e -> e.from() + " -" + e.relation().label() + "-> " + e.to()).toList();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void versionGraphHoldsItsAncestryAndDescendantsOnly(Backend backend) {
        try (var w = world(backend)) {
            var graph = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null);
            var run = "run:" + w.run1();
            assertThat(graph.roots()).containsExactly("model_version:fraud/1");
            assertThat(graph.truncated()).isFalse();
            assertThat(ids(graph)).containsExactlyInAnyOrder("model_version:fraud/1", run, "registered_model:fraud",
                    "experiment:1", "dataset:d1gest01:transactions", "dataset:d2gest02:holdout", "deployment:fraud-prod");
            assertThat(edges(graph)).containsExactlyInAnyOrder(
                    run + " -produced-> model_version:fraud/1",
                    "registered_model:fraud -has_version-> model_version:fraud/1",
                    "experiment:1 -contains-> " + run,
                    "dataset:d1gest01:transactions -consumed_by-> " + run,
                    "dataset:d2gest02:holdout -consumed_by-> " + run,
                    "model_version:fraud/1 -deployed_as-> deployment:fraud-prod");

            var train = graph.node("dataset:d1gest01:transactions").orElseThrow();
            assertThat(train.type()).isEqualTo(NodeType.DATASET);
            assertThat(train.attributes()).containsEntry("digest", "d1gest01").containsEntry("source_type", "s3")
                    .containsEntry("schema", TRAIN_SCHEMA);
            assertThat(graph.edgesInto(run, Relation.CONSUMED_BY)).extracting(e -> e.attributes().get("context"))
                    .containsExactlyInAnyOrder("training", "eval");
            var runNode = graph.node(run).orElseThrow();
            assertThat(runNode.label()).isEqualTo("gbm-1");
            assertThat(runNode.attributes()).containsEntry("status", "FINISHED").containsEntry("user_id", "alice")
                    .containsEntry("source_version", "abc123").containsEntry("experiment_name", "fraud-training");
            var version = graph.node("model_version:fraud/1").orElseThrow();
            assertThat(version.attributes()).containsEntry("uri", "models:/fraud/1")
                    .containsEntry("aliases", List.of("champion")).containsEntry("run_id", w.run1());
            var deployed = graph.edgesFrom("model_version:fraud/1", Relation.DEPLOYED_AS).getFirst();
            assertThat(deployed.attributes()).containsEntry("via", "alias").containsEntry("alias", "champion");
            assertThat(graph.node("deployment:fraud-prod").orElseThrow().attributes())
                    .containsEntry("model_uri", "models:/fraud@champion").containsEntry("serving_version", 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aliasRunAndDigestQueriesStartWhereTheySay(Backend backend) {
        try (var w = world(backend)) {
            var byAlias = w.lineage().graph(new LineageQuery.ModelAlias("fraud", "champion"), null);
            assertThat(byAlias).isEqualTo(w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null));

            // from the run: its inputs and experiment upstream, what it produced downstream (not the model's other parts)
            var byRun = w.lineage().graph(new LineageQuery.Run(w.run2()), null);
            assertThat(byRun.roots()).containsExactly("run:" + w.run2());
            assertThat(ids(byRun)).containsExactlyInAnyOrder("run:" + w.run2(), "experiment:1",
                    "dataset:d1gest01:transactions", "model_version:fraud/2", "deployment:fraud-v2");

            // from a digest: everything built from that data
            var byDigest = w.lineage().graph(new LineageQuery.DatasetDigest("d1gest01"), null);
            assertThat(byDigest.roots()).containsExactly("dataset:d1gest01:transactions");
            assertThat(ids(byDigest)).containsExactlyInAnyOrder("dataset:d1gest01:transactions", "run:" + w.run1(),
                    "run:" + w.run2(), "model_version:fraud/1", "model_version:fraud/2", "deployment:fraud-prod",
                    "deployment:fraud-v2");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void depthLimitsHopsEachWay(Backend backend) {
        try (var w = world(backend)) {
            var zero = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), 0);
            assertThat(ids(zero)).containsExactly("model_version:fraud/1");
            assertThat(zero.edges()).isEmpty();
            var one = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), 1);
            assertThat(ids(one)).containsExactlyInAnyOrder("model_version:fraud/1", "run:" + w.run1(),
                    "registered_model:fraud", "deployment:fraud-prod");
            var two = w.lineage().graph(new LineageQuery.Run(w.run1()), 1);
            assertThat(ids(two)).containsExactlyInAnyOrder("run:" + w.run1(), "experiment:1",
                    "dataset:d1gest01:transactions", "dataset:d2gest02:holdout", "model_version:fraud/1");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deploymentsFollowTheAliasAsItMoves(Backend backend) {
        try (var w = world(backend)) {
            w.registry().setAlias("fraud", "champion", "2");
            var v1 = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null);
            assertThat(v1.nodes(NodeType.DEPLOYMENT)).isEmpty();
            var v2 = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "2"), null);
            assertThat(v2.nodes(NodeType.DEPLOYMENT)).extracting(Node::id)
                    .containsExactlyInAnyOrder("deployment:fraud-prod", "deployment:fraud-v2");
            assertThat(v2.edgesFrom("model_version:fraud/2", Relation.DEPLOYED_AS)).extracting(Edge::attributes)
                    .anySatisfy(a -> assertThat(a).containsEntry("via", "version"))
                    .anySatisfy(a -> assertThat(a).containsEntry("via", "alias"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void predictionWindowsHangOffTheirDeploymentWhenMonitoringExists(Backend backend) {
        try (var w = world(backend)) {
            boolean monitoring = w.db().read(h -> {
                try (var tables = h.getConnection().getMetaData().getTables(null, null, LineageService.WINDOWS_TABLE,
                        null)) {
                    return tables.next();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            org.junit.jupiter.api.Assumptions.assumeTrue(monitoring, "the monitoring migration is not in this build");
            long minute = 60_000;
            long base = NOW.toEpochMilli() - 200 * minute;
            w.db().writeVoid(h -> {
                var insert = h.prepareBatch("INSERT INTO monitor_windows (deployment, model_version, granularity,"
                        + " window_start, requests, row_count, client_errors, server_errors, overloaded, input_profile,"
                        + " output_profile, latency, sample, updated_at) VALUES (:d, :v, 'minute', :start, :n, :rows,"
                        + " 0, 0, 0, :blob, :blob, :blob, :blob, :start)");
                for (int i = 0; i < LineageService.MAX_WINDOWS + 20; i++) {
                    insert.bind("d", "fraud-prod").bind("v", 1).bind("start", base + i * minute).bind("n", i + 1)
                            .bind("rows", 10L * (i + 1)).bind("blob", new byte[0]).add();
                }
                insert.bind("d", "fraud-v2").bind("v", 2).bind("start", base).bind("n", 1).bind("rows", 1L)
                        .bind("blob", new byte[0]).add();
                insert.execute();
            });
            var graph = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null);
            var windows = graph.nodes(NodeType.PREDICTION_WINDOW);
            assertThat(windows).hasSize(LineageService.MAX_WINDOWS);
            long newest = base + (LineageService.MAX_WINDOWS + 19) * minute;
            assertThat(windows.getFirst().attributes()).containsEntry("window_start", newest)
                    .containsEntry("granularity", "minute").containsEntry("model_version", 1)
                    .containsEntry("requests", (long) LineageService.MAX_WINDOWS + 20);
            assertThat(windows).allSatisfy(n -> assertThat(graph.edgesInto(n.id(), Relation.SERVED))
                    .extracting(Edge::from).containsExactly("deployment:fraud-prod"));
            assertThat(graph.node("deployment:fraud-prod").orElseThrow().attributes())
                    .containsEntry("prediction_windows", (long) LineageService.MAX_WINDOWS + 20);
            // depth counts the window hop too
            assertThat(w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), 1)
                    .nodes(NodeType.PREDICTION_WINDOW)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unknownStartsAre404AndMalformedOnes400(Backend backend) {
        try (var w = world(backend)) {
            var lineage = w.lineage();
            expect(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> lineage.graph(new LineageQuery.ModelVersion("nope", "1"), null));
            expect(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> lineage.graph(new LineageQuery.ModelVersion("fraud", "9"), null));
            expect(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> lineage.graph(new LineageQuery.ModelAlias("fraud", "gone"), null));
            expect(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> lineage.graph(new LineageQuery.Run("0123456789abcdef"), null));
            expect(ErrorCode.RESOURCE_DOES_NOT_EXIST, () -> lineage.graph(new LineageQuery.DatasetDigest("ffff"), null));
            expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> lineage.graph(new LineageQuery.ModelVersion("fraud", "x"), null));
            expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> lineage.graph(new LineageQuery.ModelVersion("fraud", "0"), null));
            expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> lineage.graph(new LineageQuery.Run("../etc"), null));
            expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> lineage.graph(new LineageQuery.ModelVersion("fraud", "1"), -1));
        }
    }

    @Test
    void queryNeedsExactlyOneStart() {
        assertThat(LineageQuery.of("fraud", "3", null, null, "")).isEqualTo(new LineageQuery.ModelVersion("fraud", "3"));
        assertThat(LineageQuery.of("fraud", null, "champion", null, null))
                .isEqualTo(new LineageQuery.ModelAlias("fraud", "champion"));
        assertThat(LineageQuery.of(null, null, null, "r1", null)).isEqualTo(new LineageQuery.Run("r1"));
        assertThat(LineageQuery.of(null, null, null, null, "abc")).isEqualTo(new LineageQuery.DatasetDigest("abc"));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of(null, null, null, null, null));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of("fraud", null, null, null, null));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of("fraud", "1", "champion", null, null));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of("fraud", "1", null, "r1", null));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of(null, "1", null, "r1", null));
        expect(ErrorCode.INVALID_PARAMETER_VALUE, () -> LineageQuery.of(null, null, null, null, "x".repeat(300)));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void openLineageEventsCarryTheSpecsRequiredFieldsAndOurFacts(Backend backend) {
        try (var w = world(backend)) {
            var export = new OpenLineageExport("launchpad-test", URI.create("urn:launchpad:test"), "9.9.9");
            var graph = w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null);
            var events = export.events(graph);
            assertThat(events).hasSize(2);
            events.forEach(LineageServiceTest::assertRunEventShape);

            var training = events.get(0);
            assertThat(training.path("eventType").asText()).isEqualTo("COMPLETE");
            assertThat(training.path("eventTime").asText()).isEqualTo(NOW.minusSeconds(1).toString());
            assertThat(training.path("run").path("runId").asText())
                    .isEqualTo(OpenLineageExport.runUuid("run", w.run1()).toString());
            assertThat(training.path("job").path("name").asText()).isEqualTo("experiments/fraud-training");
            var inputs = training.path("inputs");
            assertThat(inputs).hasSize(2);
            var train = find(inputs, "s3://lake", "fraud/train.parquet");
            assertThat(train.path("facets").path("version").path("datasetVersion").asText()).isEqualTo("d1gest01");
            assertThat(train.path("facets").path("dataSource").path("uri").asText())
                    .isEqualTo("s3://lake/fraud/train.parquet");
            assertThat(train.path("facets").path("schema").path("fields").toString())
                    .isEqualTo("[{\"name\":\"amount\",\"type\":\"double\"},{\"name\":\"label\",\"type\":\"long\"}]");
            var holdout = find(inputs, "file", "/data/holdout.csv");
            assertThat(holdout.path("facets").path("version").path("datasetVersion").asText()).isEqualTo("d2gest02");
            assertThat(holdout.path("facets").has("schema")).isFalse();
            assertThat(training.path("outputs")).hasSize(1);
            var output = training.path("outputs").get(0);
            assertThat(output.path("namespace").asText()).isEqualTo("launchpad-test");
            assertThat(output.path("name").asText()).isEqualTo("models:/fraud/1");
            assertThat(output.path("facets").path("version").path("datasetVersion").asText()).isEqualTo("1");

            var deployment = events.get(1);
            assertThat(deployment.path("eventType").asText()).isEqualTo("START");
            assertThat(deployment.path("job").path("name").asText()).isEqualTo("deployments/fraud-prod");
            assertThat(deployment.path("job").path("facets").path("documentation").path("description").asText())
                    .isEqualTo("production");
            assertThat(deployment.path("inputs")).hasSize(1);
            assertThat(deployment.path("inputs").get(0).path("name").asText()).isEqualTo("models:/fraud/1");
            assertThat(deployment.path("outputs")).isEmpty();

            // exporting again gives the same events; moving the alias starts a new deployment run
            assertThat(export.events(w.lineage().graph(new LineageQuery.ModelVersion("fraud", "1"), null)))
                    .isEqualTo(events);
            w.registry().setAlias("fraud", "champion", "2");
            var moved = export.events(w.lineage().graph(new LineageQuery.ModelVersion("fraud", "2"), null));
            var prod = moved.stream().filter(e -> e.path("job").path("name").asText().equals("deployments/fraud-prod"))
                    .findFirst().orElseThrow();
            assertThat(prod.path("run").path("runId").asText())
                    .isNotEqualTo(deployment.path("run").path("runId").asText());
            // a run still RUNNING is a START at its start time
            var running = moved.stream().filter(e -> e.path("run").path("runId").asText()
                    .equals(OpenLineageExport.runUuid("run", w.run2()).toString())).findFirst().orElseThrow();
            assertThat(running.path("eventType").asText()).isEqualTo("START");
            assertThat(running.path("eventTime").asText()).isEqualTo(NOW.minusSeconds(30).toString());
        }
    }

    @Test
    void datasetLocationsAndSchemasAreReadOffMlflowSources() {
        assertThat(OpenLineageExport.location("{\"url\": \"https://example.org/a.csv\"}"))
                .contains(URI.create("https://example.org/a.csv"));
        assertThat(OpenLineageExport.location("s3://b/k")).contains(URI.create("s3://b/k"));
        assertThat(OpenLineageExport.location("{\"tags\": {}}")).isEmpty();
        assertThat(OpenLineageExport.location("not a uri")).isEmpty();
        assertThat(OpenLineageExport.location("{broken")).isEmpty();
        assertThat(OpenLineageExport.schemaFields("{\"mlflow_tensorspec\": {}}")).isEmpty();
        assertThat(OpenLineageExport.schemaFields("[]")).isEmpty();
        assertThatThrownBy(() -> new OpenLineageExport(" ", URI.create("urn:x"), "1"))
                .isInstanceOf(LaunchpadException.class);
    }

    /** The fields OpenLineage 2-0-2 requires of a RunEvent, its run, job, datasets and every facet. */
    static void assertRunEventShape(ObjectNode event) {
        assertThat(event.path("schemaURL").asText()).isEqualTo(OpenLineageExport.RUN_EVENT_SCHEMA);
        assertThat(URI.create(event.path("producer").asText()).isAbsolute()).isTrue();
        assertThat(Instant.parse(event.path("eventTime").asText())).isNotNull();
        assertThat(event.path("eventType").asText()).isIn("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER");
        var runId = event.path("run").path("runId").asText();
        assertThat(UUID.fromString(runId).toString()).isEqualTo(runId);
        assertThat(event.path("job").path("namespace").asText()).isNotBlank();
        assertThat(event.path("job").path("name").asText()).isNotBlank();
        for (var list : List.of("inputs", "outputs")) {
            assertThat(event.path(list).isArray()).isTrue();
            for (var dataset : event.path(list)) {
                assertThat(dataset.path("namespace").asText()).isNotBlank();
                assertThat(dataset.path("name").asText()).isNotBlank();
                assertFacets(dataset.path("facets"));
            }
        }
        assertFacets(event.path("run").path("facets"));
        assertFacets(event.path("job").path("facets"));
    }

    private static void assertFacets(JsonNode facets) {
        facets.properties().forEach(facet -> {
            assertThat(facet.getValue().path("_producer").asText()).as(facet.getKey()).isNotBlank();
            assertThat(facet.getValue().path("_schemaURL").asText()).as(facet.getKey())
                    .startsWith("https://openlineage.io/spec/facets/");
        });
    }

    private static JsonNode find(JsonNode datasets, String namespace, String name) {
        for (var dataset : datasets) {
            if (dataset.path("namespace").asText().equals(namespace) && dataset.path("name").asText().equals(name)) {
                return dataset;
            }
        }
        throw new AssertionError("no dataset " + namespace + " " + name + " in " + datasets);
    }

    private static void expect(ErrorCode code, Executable action) {
        var thrown = catchThrowableOfType(LaunchpadException.class, () -> {
            try {
                action.execute();
            } catch (Throwable t) {
                throw t instanceof Exception e ? e : new RuntimeException(t);
            }
        });
        assertThat(thrown).as("expected %s", code).isNotNull();
        assertThat(thrown.code()).isEqualTo(code);
    }
}
