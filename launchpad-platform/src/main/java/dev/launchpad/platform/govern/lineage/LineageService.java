package dev.launchpad.platform.govern.lineage;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.lineage.LineageGraph.Edge;
import dev.launchpad.platform.govern.lineage.LineageGraph.Node;
import dev.launchpad.platform.govern.lineage.LineageGraph.NodeType;
import dev.launchpad.platform.govern.lineage.LineageGraph.Relation;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.MlflowTags;
import dev.launchpad.platform.tracking.Validation;
import org.jdbi.v3.core.Handle;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds lineage graphs from what the metadata database already records: the datasets a run consumed
 * ({@code inputs}), the lineage frozen when a version was registered ({@code model_version_datasets}),
 * the run behind each version, the deployments that serve a version (pinned, or through an alias that
 * points at it now) and, where the monitoring tables exist, each deployment's latest prediction windows.
 * <p>
 * From the starting nodes the graph is walked upstream (towards the data) and downstream (towards
 * predictions), each at most {@code depth} hops; a node reached upstream is not expanded downstream, so
 * the graph holds the ancestry and the descendants of the start, not its siblings. A graph stops growing
 * at {@link #MAX_NODES} nodes and then says it is truncated.
 */
public final class LineageService {
    /** The most nodes one graph holds. */
    public static final int MAX_NODES = 2_000;
    /** The most prediction windows shown per deployment (the latest ones); the deployment node counts them all. */
    public static final int MAX_WINDOWS = 100;
    /** The monitoring table with one row per deployment, window and model version (migration V8). */
    static final String WINDOWS_TABLE = "monitor_windows";

    private final Database db;
    private final RegistryService registry;
    private volatile boolean windowsTableSeen;

    public LineageService(Database db, RegistryService registry) {
        this.db = db;
        this.registry = registry;
    }

    /**
     * The lineage graph around {@code query}'s starting node(s), at most {@code depth} hops each way
     * (null: as far as it goes).
     *
     * @throws LaunchpadException RESOURCE_DOES_NOT_EXIST for an unknown model, version, alias, run or digest;
     *                            INVALID_PARAMETER_VALUE for a malformed one or a negative depth
     */
    public LineageGraph graph(LineageQuery query, Integer depth) {
        if (depth != null && depth < 0) {
            throw LaunchpadException.invalid("Parameter 'depth' must be 0 or more, got " + depth + ".");
        }
        var roots = roots(query);
        int maxDepth = depth == null ? Integer.MAX_VALUE : depth;
        return db.read(h -> new Walk(h, hasWindowsTable(h)).run(roots, maxDepth));
    }

    // ------------------------------------------------------------------ starting points

    private List<Key> roots(LineageQuery query) {
        return switch (query) {
            case LineageQuery.ModelVersion q -> {
                var mv = registry.getModelVersion(q.model(), q.version());
                yield List.of(new VersionKey(mv.name(), mv.version()));
            }
            case LineageQuery.ModelAlias q -> {
                var mv = registry.getByAlias(q.model(), q.alias());
                yield List.of(new VersionKey(mv.name(), mv.version()));
            }
            case LineageQuery.Run q -> {
                Validation.runId(q.runId());
                boolean known = db.read(h -> h.createQuery("SELECT 1 FROM runs WHERE run_uuid = :run"
                                + " UNION SELECT 1 FROM model_versions WHERE run_id = :run")
                        .bind("run", q.runId()).mapTo(Integer.class).findFirst().isPresent());
                if (!known) {
                    throw LaunchpadException.notFound("Run with id=" + q.runId() + " not found");
                }
                yield List.of(new RunKey(q.runId()));
            }
            case LineageQuery.DatasetDigest q -> {
                List<Key> datasets = db.read(h -> h.createQuery("SELECT name FROM datasets WHERE digest = :d"
                                + " UNION SELECT dataset_name FROM model_version_datasets WHERE dataset_digest = :d"
                                + " ORDER BY 1")
                        .bind("d", q.digest()).mapTo(String.class).list().stream()
                        .<Key>map(name -> new DatasetKey(name, q.digest())).toList());
                if (datasets.isEmpty()) {
                    throw LaunchpadException.notFound("No dataset with digest " + q.digest() + " was logged.");
                }
                yield datasets;
            }
        };
    }

    /** Whether the monitoring migration has created the prediction-window table (checked until it has). */
    private boolean hasWindowsTable(Handle h) {
        if (windowsTableSeen) {
            return true;
        }
        try (var tables = h.getConnection().getMetaData().getTables(null, null, WINDOWS_TABLE, null)) {
            while (tables.next()) {
                if (WINDOWS_TABLE.equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    windowsTableSeen = true;
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the database's table list", e);
        }
    }

    // ------------------------------------------------------------------ node keys

    /** What identifies a node in the database; {@link #id()} is its id in the graph. */
    private sealed interface Key {
        String id();
    }

    private record DatasetKey(String name, String digest) implements Key {
        public String id() {
            return "dataset:" + digest + ":" + name;
        }
    }

    private record RunKey(String runId) implements Key {
        public String id() {
            return "run:" + runId;
        }
    }

    private record ExperimentKey(long experimentId) implements Key {
        public String id() {
            return "experiment:" + experimentId;
        }
    }

    private record VersionKey(String model, int version) implements Key {
        public String id() {
            return "model_version:" + model + "/" + version;
        }
    }

    private record ModelKey(String model) implements Key {
        public String id() {
            return "registered_model:" + model;
        }
    }

    private record DeploymentKey(String name) implements Key {
        public String id() {
            return "deployment:" + name;
        }
    }

    /** A prediction window, loaded whole with its deployment's windows. */
    private record WindowKey(Node node) implements Key {
        public String id() {
            return node.id();
        }
    }

    /** A neighbour reached over one edge. */
    private record Link(Key neighbour, Edge edge) {
    }

    // ------------------------------------------------------------------ the walk

    /** One graph being built, in one read. */
    private final class Walk {
        private final Handle h;
        private final boolean windows;
        private final Map<String, Node> nodes = new LinkedHashMap<>();
        private final Map<List<Object>, Edge> edges = new LinkedHashMap<>();
        private boolean truncated;

        Walk(Handle h, boolean windows) {
            this.h = h;
            this.windows = windows;
        }

        LineageGraph run(List<Key> roots, int maxDepth) {
            for (var root : roots) {
                add(root);
            }
            walk(roots, maxDepth, true);
            walk(roots, maxDepth, false);
            return new LineageGraph(roots.stream().map(Key::id).toList(), List.copyOf(nodes.values()),
                    List.copyOf(edges.values()), truncated);
        }

        private void walk(List<Key> roots, int maxDepth, boolean upstream) {
            var seen = new HashSet<String>();
            roots.forEach(r -> seen.add(r.id()));
            var frontier = new ArrayList<>(roots);
            for (int level = 0; level < maxDepth && !frontier.isEmpty(); level++) {
                var next = new ArrayList<Key>();
                for (var key : frontier) {
                    for (var link : upstream ? upstream(key) : downstream(key)) {
                        if (!add(link.neighbour())) {
                            truncated = true;
                            continue;
                        }
                        var e = link.edge();
                        edges.putIfAbsent(List.of(e.from(), e.to(), e.relation()), e);
                        if (seen.add(link.neighbour().id())) {
                            next.add(link.neighbour());
                        }
                    }
                }
                frontier = next;
            }
        }

        /** Adds the node for {@code key} unless present; false when the graph is full. */
        private boolean add(Key key) {
            if (nodes.containsKey(key.id())) {
                return true;
            }
            if (nodes.size() >= MAX_NODES) {
                return false;
            }
            nodes.put(key.id(), load(key));
            return true;
        }

        // -------------------------------------------------------------- edges

        private List<Link> upstream(Key key) {
            var links = new ArrayList<Link>();
            switch (key) {
                case RunKey run -> {
                    experimentOf(run.runId()).ifPresent(exp -> links.add(new Link(new ExperimentKey(exp),
                            edge(new ExperimentKey(exp), run, Relation.CONTAINS, Map.of()))));
                    // what the run logged, and what was frozen when its versions were registered
                    var consumed = new LinkedHashMap<DatasetKey, String>();
                    h.createQuery("SELECT d.name, d.digest, (SELECT t.value FROM input_tags t"
                                    + " WHERE t.input_uuid = i.input_uuid AND t.name = :ctx) FROM inputs i"
                                    + " JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = :run"
                                    + " ORDER BY d.name, d.digest")
                            .bind("ctx", MlflowTags.DATASET_CONTEXT).bind("run", run.runId())
                            .map((rs, ctx) -> Map.entry(new DatasetKey(rs.getString(1), rs.getString(2)),
                                    Optional.ofNullable(rs.getString(3))))
                            .forEach(e -> consumed.merge(e.getKey(), e.getValue().orElse(""), LineageService::firstSet));
                    h.createQuery("SELECT DISTINCT f.dataset_name, f.dataset_digest, f.context"
                                    + " FROM model_version_datasets f JOIN model_versions v ON v.name = f.name"
                                    + " AND v.version = f.version WHERE v.run_id = :run"
                                    + " ORDER BY f.dataset_name, f.dataset_digest")
                            .bind("run", run.runId())
                            .map((rs, ctx) -> Map.entry(new DatasetKey(rs.getString(1), rs.getString(2)),
                                    Optional.ofNullable(rs.getString(3))))
                            .forEach(e -> consumed.merge(e.getKey(), e.getValue().orElse(""), LineageService::firstSet));
                    consumed.forEach((dataset, context) -> links.add(new Link(dataset,
                            edge(dataset, run, Relation.CONSUMED_BY, attributes("context", emptyToNull(context))))));
                }
                case VersionKey v -> {
                    h.createQuery("SELECT run_id FROM model_versions WHERE name = :name AND version = :v")
                            .bind("name", v.model()).bind("v", v.version()).mapTo(String.class).findOne()
                            .ifPresent(runId -> links.add(new Link(new RunKey(runId),
                                    edge(new RunKey(runId), v, Relation.PRODUCED, Map.of()))));
                    links.add(new Link(new ModelKey(v.model()),
                            edge(new ModelKey(v.model()), v, Relation.HAS_VERSION, Map.of())));
                }
                case DeploymentKey d -> servingNow(d).ifPresent(link -> links.add(link));
                case WindowKey w -> {
                    var deployment = new DeploymentKey(w.node().string("deployment").orElseThrow());
                    links.add(new Link(deployment, edge(deployment, w, Relation.SERVED, Map.of())));
                }
                case DatasetKey ignored -> { }
                case ExperimentKey ignored -> { }
                case ModelKey ignored -> { }
            }
            return links;
        }

        private List<Link> downstream(Key key) {
            var links = new ArrayList<Link>();
            switch (key) {
                case DatasetKey dataset -> {
                    var runs = new LinkedHashMap<String, String>();
                    h.createQuery("SELECT i.run_uuid, (SELECT t.value FROM input_tags t WHERE t.input_uuid ="
                                    + " i.input_uuid AND t.name = :ctx) FROM inputs i JOIN datasets d"
                                    + " ON d.dataset_uuid = i.dataset_uuid WHERE d.name = :name AND d.digest = :digest"
                                    + " ORDER BY i.run_uuid LIMIT :limit")
                            .bind("ctx", MlflowTags.DATASET_CONTEXT).bind("name", dataset.name())
                            .bind("digest", dataset.digest()).bind("limit", MAX_NODES + 1)
                            .map((rs, ctx) -> Map.entry(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                            .forEach(e -> runs.merge(e.getKey(), e.getValue().orElse(""), LineageService::firstSet));
                    h.createQuery("SELECT DISTINCT v.run_id, f.context FROM model_version_datasets f"
                                    + " JOIN model_versions v ON v.name = f.name AND v.version = f.version"
                                    + " WHERE f.dataset_name = :name AND f.dataset_digest = :digest"
                                    + " AND v.run_id IS NOT NULL ORDER BY v.run_id LIMIT :limit")
                            .bind("name", dataset.name()).bind("digest", dataset.digest()).bind("limit", MAX_NODES + 1)
                            .map((rs, ctx) -> Map.entry(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                            .forEach(e -> runs.merge(e.getKey(), e.getValue().orElse(""), LineageService::firstSet));
                    runs.forEach((runId, context) -> links.add(new Link(new RunKey(runId), edge(dataset,
                            new RunKey(runId), Relation.CONSUMED_BY, attributes("context", emptyToNull(context))))));
                }
                case RunKey run -> h.createQuery("SELECT name, version FROM model_versions WHERE run_id = :run"
                                + " ORDER BY name, version LIMIT :limit")
                        .bind("run", run.runId()).bind("limit", MAX_NODES + 1)
                        .map((rs, ctx) -> new VersionKey(rs.getString(1), rs.getInt(2)))
                        .forEach(v -> links.add(new Link(v, edge(run, v, Relation.PRODUCED, Map.of()))));
                case VersionKey v -> h.createQuery("SELECT name, model_alias FROM deployments WHERE model_name = :model"
                                + " AND (model_version = :v OR model_alias IN (SELECT alias FROM"
                                + " registered_model_aliases WHERE name = :model AND version = :v)) ORDER BY name")
                        .bind("model", v.model()).bind("v", v.version())
                        .map((rs, ctx) -> {
                            var deployment = new DeploymentKey(rs.getString(1));
                            var alias = rs.getString(2);
                            return new Link(deployment, edge(v, deployment, Relation.DEPLOYED_AS, alias == null
                                    ? attributes("via", "version") : attributes("via", "alias", "alias", alias)));
                        })
                        .forEach(links::add);
                case DeploymentKey d -> {
                    for (var window : predictionWindows(d.name())) {
                        var w = new WindowKey(window);
                        links.add(new Link(w, edge(d, w, Relation.SERVED, Map.of())));
                    }
                }
                case WindowKey ignored -> { }
                case ExperimentKey ignored -> { }
                case ModelKey ignored -> { }
            }
            return links;
        }

        /** The version a deployment serves now (its pinned version, or where its alias points), if it exists. */
        private Optional<Link> servingNow(DeploymentKey d) {
            record Target(String model, Integer version, String alias) {
            }
            var target = h.createQuery("SELECT d.model_name, COALESCE(d.model_version, a.version), d.model_alias"
                            + " FROM deployments d LEFT JOIN registered_model_aliases a ON a.name = d.model_name"
                            + " AND a.alias = d.model_alias WHERE d.name = :name")
                    .bind("name", d.name())
                    .map((rs, ctx) -> {
                        int version = rs.getInt(2);
                        return new Target(rs.getString(1), rs.wasNull() ? null : version, rs.getString(3));
                    })
                    .findOne().filter(t -> t.version() != null);
            if (target.isEmpty() || h.createQuery("SELECT 1 FROM model_versions WHERE name = :name AND version = :v")
                    .bind("name", target.get().model()).bind("v", target.get().version()).mapTo(Integer.class)
                    .findOne().isEmpty()) {
                return Optional.empty(); // its alias was deleted, or its version was
            }
            var t = target.get();
            var v = new VersionKey(t.model(), t.version());
            return Optional.of(new Link(v, edge(v, d, Relation.DEPLOYED_AS, t.alias() == null
                    ? attributes("via", "version") : attributes("via", "alias", "alias", t.alias()))));
        }

        /**
         * The deployment's latest {@link #MAX_WINDOWS} prediction windows (every granularity the monitor keeps),
         * newest first; none when the monitoring tables do not exist.
         */
        private List<Node> predictionWindows(String deployment) {
            if (!windows) {
                return List.of();
            }
            return h.createQuery("SELECT deployment, model_version, granularity, window_start, requests, row_count,"
                            + " client_errors, server_errors FROM " + WINDOWS_TABLE + " WHERE deployment = :d"
                            + " ORDER BY window_start DESC, granularity, model_version LIMIT :limit")
                    .bind("d", deployment).bind("limit", MAX_WINDOWS)
                    .map((rs, ctx) -> {
                        var granularity = rs.getString("granularity");
                        long start = rs.getLong("window_start");
                        int version = rs.getInt("model_version");
                        var id = "prediction_window:" + deployment + "/" + granularity + "/" + start + "/" + version;
                        return new Node(id, NodeType.PREDICTION_WINDOW,
                                granularity + " from " + Instant.ofEpochMilli(start),
                                attributes("deployment", deployment, "granularity", granularity,
                                        "window_start", start, "model_version", version,
                                        "requests", rs.getLong("requests"), "row_count", rs.getLong("row_count"),
                                        "client_errors", rs.getLong("client_errors"),
                                        "server_errors", rs.getLong("server_errors")));
                    })
                    .list();
        }

        private Optional<Long> experimentOf(String runId) {
            return h.createQuery("SELECT experiment_id FROM runs WHERE run_uuid = :run").bind("run", runId)
                    .mapTo(Long.class).findOne();
        }

        // -------------------------------------------------------------- nodes

        private Node load(Key key) {
            return switch (key) {
                case DatasetKey d -> dataset(d);
                case RunKey r -> run(r);
                case ExperimentKey e -> h.createQuery("SELECT name, lifecycle_stage FROM experiments"
                                + " WHERE experiment_id = :id").bind("id", e.experimentId())
                        .map((rs, ctx) -> new Node(e.id(), NodeType.EXPERIMENT, rs.getString(1),
                                attributes("experiment_id", String.valueOf(e.experimentId()), "name", rs.getString(1),
                                        "lifecycle_stage", rs.getString(2))))
                        .findOne()
                        .orElseGet(() -> new Node(e.id(), NodeType.EXPERIMENT, String.valueOf(e.experimentId()),
                                attributes("experiment_id", String.valueOf(e.experimentId()))));
                case VersionKey v -> version(v);
                case ModelKey m -> h.createQuery("SELECT description FROM registered_models WHERE name = :name")
                        .bind("name", m.model()).mapTo(String.class).findFirst()
                        .map(description -> new Node(m.id(), NodeType.REGISTERED_MODEL, m.model(),
                                attributes("name", m.model(), "description", description)))
                        .orElseGet(() -> new Node(m.id(), NodeType.REGISTERED_MODEL, m.model(),
                                attributes("name", m.model())));
                case DeploymentKey d -> deployment(d);
                case WindowKey w -> w.node();
            };
        }

        private Node dataset(DatasetKey d) {
            var logged = h.createQuery("SELECT dataset_source_type, dataset_source, dataset_schema FROM datasets"
                            + " WHERE name = :name AND digest = :digest ORDER BY experiment_id LIMIT 1")
                    .bind("name", d.name()).bind("digest", d.digest())
                    .map((rs, ctx) -> attributes("name", d.name(), "digest", d.digest(), "source_type", rs.getString(1),
                            "source", rs.getString(2), "schema", rs.getString(3)))
                    .findOne();
            var attributes = logged.orElseGet(() -> h.createQuery("SELECT dataset_source FROM model_version_datasets"
                            + " WHERE dataset_name = :name AND dataset_digest = :digest ORDER BY name, version LIMIT 1")
                    .bind("name", d.name()).bind("digest", d.digest()).mapTo(String.class).findOne()
                    .map(source -> attributes("name", d.name(), "digest", d.digest(), "source", source))
                    .orElseGet(() -> attributes("name", d.name(), "digest", d.digest())));
            return new Node(d.id(), NodeType.DATASET, d.name() + "@" + d.digest(), attributes);
        }

        private Node run(RunKey r) {
            var commit = h.createQuery("SELECT value FROM tags WHERE run_uuid = :run AND key = :key")
                    .bind("run", r.runId()).bind("key", MlflowTags.GIT_COMMIT).mapTo(String.class).findOne()
                    .orElse(null);
            return h.createQuery("SELECT r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time,"
                            + " r.lifecycle_stage, e.name FROM runs r LEFT JOIN experiments e"
                            + " ON e.experiment_id = r.experiment_id WHERE r.run_uuid = :run")
                    .bind("run", r.runId())
                    .map((rs, ctx) -> {
                        var name = rs.getString(1);
                        return new Node(r.id(), NodeType.RUN, name != null && !name.isEmpty() ? name : r.runId(),
                                attributes("run_id", r.runId(), "run_name", name,
                                        "experiment_id", String.valueOf(rs.getLong(2)), "experiment_name", rs.getString(8),
                                        "user_id", rs.getString(3), "status", rs.getString(4),
                                        "start_time", Database.nullableLong(rs, "start_time"),
                                        "end_time", Database.nullableLong(rs, "end_time"),
                                        "lifecycle_stage", rs.getString(7), "source_version", commit));
                    })
                    .findOne()
                    // a version can outlive its run's row: keep the run in the graph, marked as gone
                    .orElseGet(() -> new Node(r.id(), NodeType.RUN, r.runId(),
                            attributes("run_id", r.runId(), "missing", true)));
        }

        private Node version(VersionKey v) {
            var aliases = h.createQuery("SELECT alias FROM registered_model_aliases WHERE name = :name AND version = :v"
                            + " ORDER BY alias")
                    .bind("name", v.model()).bind("v", v.version()).mapTo(String.class).list();
            return h.createQuery("SELECT creation_time, user_id, current_stage, source, storage_location, run_id,"
                            + " status, source_version, description FROM model_versions WHERE name = :name AND version = :v")
                    .bind("name", v.model()).bind("v", v.version())
                    .map((rs, ctx) -> new Node(v.id(), NodeType.MODEL_VERSION, v.model() + " v" + v.version(),
                            attributes("name", v.model(), "version", v.version(),
                                    "uri", "models:/" + v.model() + "/" + v.version(),
                                    "creation_time", rs.getLong(1), "user_id", rs.getString(2),
                                    "stage", rs.getString(3), "source", rs.getString(4),
                                    "storage_location", rs.getString(5), "run_id", rs.getString(6),
                                    "status", rs.getString(7), "source_version", rs.getString(8),
                                    "description", rs.getString(9), "aliases", aliases)))
                    .findOne()
                    .orElseThrow(() -> LaunchpadException.notFound("Model Version (name=" + v.model() + ", version="
                            + v.version() + ") not found"));
        }

        private Node deployment(DeploymentKey d) {
            Long windowCount = windows ? h.createQuery("SELECT COUNT(*) FROM " + WINDOWS_TABLE
                    + " WHERE deployment = :d").bind("d", d.name()).mapTo(Long.class).one() : null;
            return h.createQuery("SELECT d.model_name, d.model_version, d.model_alias, d.description, d.creation_time,"
                            + " d.last_updated_time, COALESCE(d.model_version, a.version) FROM deployments d"
                            + " LEFT JOIN registered_model_aliases a ON a.name = d.model_name AND a.alias = d.model_alias"
                            + " WHERE d.name = :name")
                    .bind("name", d.name())
                    .map((rs, ctx) -> {
                        var model = rs.getString(1);
                        var pinned = Database.nullableLong(rs, "model_version");
                        var alias = rs.getString(3);
                        int serving = rs.getInt(7);
                        Integer servingVersion = rs.wasNull() ? null : serving;
                        return new Node(d.id(), NodeType.DEPLOYMENT, d.name(), attributes("name", d.name(),
                                "model_name", model, "model_version", pinned, "model_alias", alias,
                                "model_uri", alias != null ? "models:/" + model + "@" + alias : "models:/" + model + "/" + pinned,
                                "serving_version", servingVersion, "description", rs.getString(4),
                                "creation_time", rs.getLong(5), "last_updated_time", rs.getLong(6),
                                "prediction_windows", windowCount));
                    })
                    .findOne()
                    .orElseThrow(() -> LaunchpadException.notFound("Deployment '" + d.name() + "' not found."));
        }

        private Edge edge(Key from, Key to, Relation relation, Map<String, Object> attributes) {
            return new Edge(from.id(), to.id(), relation, attributes);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Keeps the first non-empty value when one dataset/run pair is seen twice. */
    private static String firstSet(String first, String second) {
        return first.isEmpty() ? second : first;
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** An ordered attribute map from key/value pairs, leaving out null values. */
    static Map<String, Object> attributes(Object... keysAndValues) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }
}
