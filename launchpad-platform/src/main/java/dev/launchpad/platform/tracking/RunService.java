package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.id.Ids;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.search.OrderBy;
import dev.launchpad.platform.tracking.search.RunSearchSql;
import dev.launchpad.platform.tracking.search.SearchFilterParser;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs and what they log: params (immutable), metrics (full history plus the latest value per key),
 * tags, dataset inputs; lifecycle; and search with MLflow's filter grammar. Every write is one
 * transaction; log-batch inserts its rows as JDBC batches.
 */
public final class RunService {
    private static final int DEFAULT_MAX_RESULTS = 1000;
    private static final int LOAD_CHUNK = 500;

    private final Database db;
    private final Clock clock;
    private final ExperimentService experiments;

    public RunService(Database db, Clock clock, ExperimentService experiments) {
        this.db = db;
        this.clock = clock;
        this.experiments = experiments;
    }

    /** Creates a RUNNING run in an active experiment. A missing name is taken from the mlflow.runName tag or generated. */
    public Run create(String experimentId, String userId, String runName, Long startTime, List<Tag> tags) {
        var expId = experimentId == null || experimentId.isEmpty() ? ExperimentService.DEFAULT_EXPERIMENT_ID : experimentId;
        long id = ExperimentService.parseId(expId);
        for (var tag : tags) {
            validateTag(tag);
        }
        var tagName = tags.stream().filter(t -> MlflowTags.RUN_NAME.equals(t.key())).map(Tag::value).findFirst();
        if (runName != null && !runName.isEmpty() && tagName.isPresent() && !tagName.get().equals(runName)) {
            throw LaunchpadException.invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but"
                    + " with different values (run_name='" + runName + "', mlflow.runName='" + tagName.get() + "').");
        }
        var name = runName != null && !runName.isEmpty() ? runName
                : tagName.orElseGet(() -> RunNames.generate(ThreadLocalRandom.current()));
        var allTags = new LinkedHashMap<String, String>();
        tags.forEach(t -> allTags.put(t.key(), t.value()));
        allTags.put(MlflowTags.RUN_NAME, name);
        var user = userId != null ? userId : allTags.getOrDefault(MlflowTags.USER, "");
        var runId = Ids.newHexId();
        long start = startTime != null ? startTime : clock.millis();
        db.writeVoid(h -> {
            experiments.requireActive(h, id, expId);
            var location = h.createQuery("SELECT artifact_location FROM experiments WHERE experiment_id = :id")
                    .bind("id", id).mapTo(String.class).one();
            h.createUpdate("INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time,"
                            + " source_version, lifecycle_stage, artifact_uri) VALUES (:run, :name, :exp, :user,"
                            + " 'RUNNING', :start, NULL, :source, 'active', :uri)")
                    .bind("run", runId).bind("name", name).bind("exp", id).bind("user", user).bind("start", start)
                    .bind("source", allTags.get(MlflowTags.GIT_COMMIT))
                    .bind("uri", stripSlash(location) + "/" + runId + "/artifacts")
                    .execute();
            upsertTags(h, runId, allTags.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList());
        });
        return get(runId);
    }

    /** The id of the experiment a run belongs to, if the run exists (one indexed read). */
    public java.util.Optional<String> experimentOf(String runId) {
        if (runId == null || runId.isEmpty() || runId.length() > 256) {
            return java.util.Optional.empty();
        }
        return db.read(h -> h.createQuery("SELECT experiment_id FROM runs WHERE run_uuid = :id")
                .bind("id", runId).mapTo(Long.class).findOne().map(String::valueOf));
    }

    public Run get(String runId) {
        Validation.runId(runId);
        return db.read(h -> {
            var runs = load(h, List.of(runId));
            if (runs.isEmpty()) {
                throw runNotFound(runId);
            }
            return runs.get(runId);
        });
    }

    /** Updates status, end time and/or name; returns the new run info. */
    public RunInfo update(String runId, String status, Long endTime, String runName) {
        Validation.runId(runId);
        var newStatus = status == null || status.isEmpty() ? null : RunStatus.parse(status);
        db.writeVoid(h -> {
            requireActive(h, runId);
            var sql = new StringBuilder("UPDATE runs SET run_uuid = run_uuid");
            if (newStatus != null) {
                sql.append(", status = :status");
            }
            if (endTime != null) {
                sql.append(", end_time = :end");
            }
            if (runName != null && !runName.isEmpty()) {
                sql.append(", name = :name");
            }
            h.createUpdate(sql + " WHERE run_uuid = :run")
                    .bind("status", newStatus == null ? null : newStatus.name()).bind("end", endTime)
                    .bind("name", runName).bind("run", runId)
                    .execute();
            if (runName != null && !runName.isEmpty()) {
                upsertTags(h, runId, List.of(new Tag(MlflowTags.RUN_NAME, runName)));
            }
        });
        return get(runId).info();
    }

    public void delete(String runId) {
        Validation.runId(runId);
        db.writeVoid(h -> {
            lifecycle(h, runId);
            h.createUpdate("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = :now WHERE run_uuid = :run")
                    .bind("now", clock.millis()).bind("run", runId).execute();
        });
    }

    public void restore(String runId) {
        Validation.runId(runId);
        db.writeVoid(h -> {
            lifecycle(h, runId);
            h.createUpdate("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = :run")
                    .bind("run", runId).execute();
        });
    }

    public void setTag(String runId, String key, String value) {
        Validation.runId(runId);
        validateTag(new Tag(key, value));
        db.writeVoid(h -> {
            requireActive(h, runId);
            upsertTags(h, runId, List.of(new Tag(key, value)));
        });
    }

    public void deleteTag(String runId, String key) {
        Validation.runId(runId);
        Validation.key("Tag", key);
        db.writeVoid(h -> {
            requireActive(h, runId);
            int deleted = h.createUpdate("DELETE FROM tags WHERE run_uuid = :run AND key = :key")
                    .bind("run", runId).bind("key", key).execute();
            if (deleted == 0) {
                throw LaunchpadException.notFound("No tag with name: " + key + " in run with id " + runId);
            }
        });
    }

    public void logParam(String runId, String key, String value) {
        logBatch(runId, List.of(), List.of(new Param(key, value)), List.of());
    }

    public void logMetric(String runId, Metric metric) {
        logBatch(runId, List.of(metric), List.of(), List.of());
    }

    /**
     * Logs metrics, params and tags in one transaction, within MLflow's limits (1000 metrics, 100 params,
     * 100 tags, 1000 in all). Re-logging a param with a different value fails the whole batch.
     */
    public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags) {
        Validation.runId(runId);
        validateBatch(metrics, params, tags);
        db.writeVoid(h -> {
            requireActive(h, runId);
            insertParams(h, runId, params);
            insertMetrics(h, runId, metrics);
            upsertTags(h, runId, tags);
        });
    }

    /** Records the dataset versions a run consumed; a dataset (name + digest) is stored once per experiment. */
    public void logInputs(String runId, List<DatasetInput> inputs) {
        Validation.runId(runId);
        for (var input : inputs) {
            validateDataset(input);
        }
        db.writeVoid(h -> {
            var experimentId = requireActive(h, runId);
            for (var input : inputs) {
                var dataset = input.dataset();
                var datasetId = h.createQuery("SELECT dataset_uuid FROM datasets WHERE experiment_id = :exp AND"
                                + " name = :name AND digest = :digest")
                        .bind("exp", experimentId).bind("name", dataset.name()).bind("digest", dataset.digest())
                        .mapTo(String.class).findOne().orElse(null);
                if (datasetId == null) {
                    datasetId = Ids.newHexId();
                    h.createUpdate("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type,"
                                    + " dataset_source, dataset_schema, dataset_profile) VALUES (:id, :exp, :name,"
                                    + " :digest, :type, :source, :schema, :profile)")
                            .bind("id", datasetId).bind("exp", experimentId).bind("name", dataset.name())
                            .bind("digest", dataset.digest()).bind("type", dataset.sourceType())
                            .bind("source", dataset.source()).bind("schema", dataset.schema())
                            .bind("profile", dataset.profile())
                            .execute();
                }
                var exists = h.createQuery("SELECT 1 FROM inputs WHERE dataset_uuid = :ds AND run_uuid = :run")
                        .bind("ds", datasetId).bind("run", runId).mapTo(Integer.class).findOne().isPresent();
                if (exists) {
                    continue;
                }
                var inputId = Ids.newHexId();
                h.createUpdate("INSERT INTO inputs (input_uuid, dataset_uuid, run_uuid) VALUES (:id, :ds, :run)")
                        .bind("id", inputId).bind("ds", datasetId).bind("run", runId).execute();
                var seen = new HashSet<String>();
                for (var tag : input.tags()) {
                    if (seen.add(tag.key())) {
                        h.createUpdate("INSERT INTO input_tags (input_uuid, name, value) VALUES (:id, :name, :value)")
                                .bind("id", inputId).bind("name", tag.key()).bind("value", tag.value()).execute();
                    }
                }
            }
        });
    }

    /** The full history of one metric, in (timestamp, step) order, optionally paged. */
    public Page<Metric> metricHistory(String runId, String key, Integer maxResults, String pageToken) {
        Validation.runId(runId);
        if (key == null || key.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'metric_key'. "
                    + "See the API docs for more information about request parameters.");
        }
        int offset = PageToken.decode(pageToken);
        Integer limit = maxResults == null ? null : Validation.maxResults(maxResults, DEFAULT_MAX_RESULTS);
        return db.read(h -> {
            lifecycle(h, runId);
            var query = h.createQuery("SELECT key, value, is_nan, timestamp, step FROM metrics"
                    + " WHERE run_uuid = :run AND key = :key ORDER BY timestamp, step, value"
                    + (limit == null ? "" : " LIMIT :limit OFFSET :offset"));
            query.bind("run", runId).bind("key", key);
            if (limit != null) {
                query.bind("limit", limit + 1).bind("offset", offset);
            }
            var points = query.map((rs, ctx) -> metric(rs)).list();
            if (limit != null && points.size() > limit) {
                return new Page<>(List.copyOf(points.subList(0, limit)), PageToken.encode((long) offset + limit));
            }
            return new Page<>(points, null);
        });
    }

    /** Searches runs of the given experiments with MLflow's filter grammar and order_by terms. */
    public Page<Run> search(List<String> experimentIds, String filter, ViewType viewType, Integer maxResults,
                            List<String> orderBy, String pageToken) {
        int limit = Validation.maxResults(maxResults, DEFAULT_MAX_RESULTS);
        int offset = PageToken.decode(pageToken);
        var clauses = SearchFilterParser.parse(filter);
        var orderBys = new ArrayList<OrderBy>();
        for (var term : orderBy) {
            orderBys.add(SearchFilterParser.parseOrderBy(term));
        }
        var ids = new ArrayList<Long>();
        for (var experimentId : experimentIds) {
            try {
                ids.add(Long.parseLong(experimentId));
            } catch (NumberFormatException e) {
                throw LaunchpadException.invalid("Invalid experiment id '" + experimentId + "'");
            }
        }
        if (ids.isEmpty()) {
            return new Page<>(List.of(), null);
        }
        var sql = RunSearchSql.build(ids, viewType.stages(), clauses, orderBys, offset, limit + 1);
        return db.read(h -> {
            var runIds = sql.bindTo(h.createQuery(sql.text())).mapTo(String.class).list();
            var more = runIds.size() > limit;
            var page = more ? runIds.subList(0, limit) : runIds;
            var loaded = load(h, page);
            var runs = page.stream().map(loaded::get).toList();
            return new Page<>(runs, more ? PageToken.encode((long) offset + limit) : null);
        });
    }

    private void insertParams(Handle h, String runId, List<Param> params) {
        if (params.isEmpty()) {
            return;
        }
        var keys = params.stream().map(Param::key).toList();
        var existing = new HashMap<String, String>();
        h.createQuery("SELECT key, value FROM params WHERE run_uuid = :run AND key IN (<keys>)")
                .bind("run", runId).bindList("keys", keys)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> existing.put(e.getKey(), e.getValue()));
        var batch = h.prepareBatch("INSERT INTO params (run_uuid, key, value) VALUES (:run, :key, :value)");
        int added = 0;
        for (var param : params) {
            var old = existing.get(param.key());
            if (old == null) {
                batch.bind("run", runId).bind("key", param.key()).bind("value", param.value()).add();
                existing.put(param.key(), param.value());
                added++;
            } else if (!old.equals(param.value())) {
                throw LaunchpadException.invalid("Changing param values is not allowed. Param with key='"
                        + param.key() + "' was already logged with value='" + old + "' for run ID='" + runId
                        + "'. Attempted logging new value '" + param.value() + "'.");
            }
        }
        if (added > 0) {
            batch.execute();
        }
    }

    private void insertMetrics(Handle h, String runId, List<Metric> metrics) {
        if (metrics.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)"
                + " VALUES (:run, :key, :value, :nan, :ts, :step)");
        var latest = new LinkedHashMap<String, Metric>();
        for (var metric : metrics) {
            boolean nan = Double.isNaN(metric.value());
            batch.bind("run", runId).bind("key", metric.key()).bind("value", nan ? 0.0 : metric.value())
                    .bind("nan", nan ? 1 : 0).bind("ts", metric.timestamp()).bind("step", metric.step()).add();
            latest.merge(metric.key(), metric, (a, b) -> newer(b, a) ? b : a);
        }
        batch.execute();
        var upsert = h.prepareBatch("INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step)"
                + " VALUES (:run, :key, :value, :nan, :ts, :step)"
                + " ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,"
                + " timestamp = excluded.timestamp, step = excluded.step"
                + " WHERE (excluded.step, excluded.timestamp, excluded.value)"
                + " >= (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)");
        for (var metric : latest.values()) {
            boolean nan = Double.isNaN(metric.value());
            upsert.bind("run", runId).bind("key", metric.key()).bind("value", nan ? 0.0 : metric.value())
                    .bind("nan", nan ? 1 : 0).bind("ts", metric.timestamp()).bind("step", metric.step()).add();
        }
        upsert.execute();
    }

    /** Whether {@code a} supersedes {@code b} as the latest value: larger (step, timestamp, value). */
    private static boolean newer(Metric a, Metric b) {
        if (a.step() != b.step()) {
            return a.step() > b.step();
        }
        if (a.timestamp() != b.timestamp()) {
            return a.timestamp() > b.timestamp();
        }
        double av = Double.isNaN(a.value()) ? 0.0 : a.value();
        double bv = Double.isNaN(b.value()) ? 0.0 : b.value();
        return av >= bv;
    }

    private void upsertTags(Handle h, String runId, List<Tag> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO tags (run_uuid, key, value) VALUES (:run, :key, :value)"
                + " ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value");
        for (var tag : tags) {
            batch.bind("run", runId).bind("key", tag.key()).bind("value", tag.value()).add();
            if (MlflowTags.RUN_NAME.equals(tag.key())) {
                h.createUpdate("UPDATE runs SET name = :name WHERE run_uuid = :run")
                        .bind("name", tag.value()).bind("run", runId).execute();
            } else if (MlflowTags.GIT_COMMIT.equals(tag.key())) {
                h.createUpdate("UPDATE runs SET source_version = :commit WHERE run_uuid = :run")
                        .bind("commit", tag.value()).bind("run", runId).execute();
            }
        }
        batch.execute();
    }

    /** Fails unless the run exists and is active; returns its experiment id. */
    private long requireActive(Handle h, String runId) {
        var row = h.createQuery("SELECT experiment_id, lifecycle_stage FROM runs WHERE run_uuid = :run")
                .bind("run", runId)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .findOne().orElseThrow(() -> runNotFound(runId));
        if (!LifecycleStage.ACTIVE.dbName().equals(row.getValue())) {
            throw LaunchpadException.invalid("The run " + runId + " must be in the 'active' state. Current state is "
                    + row.getValue() + ".");
        }
        return row.getKey();
    }

    private String lifecycle(Handle h, String runId) {
        return h.createQuery("SELECT lifecycle_stage FROM runs WHERE run_uuid = :run").bind("run", runId)
                .mapTo(String.class).findOne().orElseThrow(() -> runNotFound(runId));
    }

    /** Loads whole runs by id, in chunks small enough for any driver's bind-variable limit. */
    private Map<String, Run> load(Handle h, List<String> runIds) {
        var result = new HashMap<String, Run>();
        for (int from = 0; from < runIds.size(); from += LOAD_CHUNK) {
            var chunk = runIds.subList(from, Math.min(runIds.size(), from + LOAD_CHUNK));
            loadChunk(h, chunk, result);
        }
        return result;
    }

    private void loadChunk(Handle h, List<String> ids, Map<String, Run> into) {
        var metrics = new HashMap<String, List<Metric>>();
        h.createQuery("SELECT run_uuid, key, value, is_nan, timestamp, step FROM latest_metrics"
                        + " WHERE run_uuid IN (<ids>) ORDER BY key")
                .bindList("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getString(1), metric(rs)))
                .forEach(e -> metrics.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        var params = new HashMap<String, List<Param>>();
        h.createQuery("SELECT run_uuid, key, value FROM params WHERE run_uuid IN (<ids>) ORDER BY key")
                .bindList("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getString(1), new Param(rs.getString(2), rs.getString(3))))
                .forEach(e -> params.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        var tags = new HashMap<String, List<Tag>>();
        h.createQuery("SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (<ids>) ORDER BY key")
                .bindList("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getString(1), new Tag(rs.getString(2), rs.getString(3))))
                .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        var inputs = loadInputs(h, ids);
        h.createQuery("SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri,"
                        + " lifecycle_stage FROM runs WHERE run_uuid IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> new RunInfo(rs.getString("run_uuid"), rs.getString("name"),
                        Long.toString(rs.getLong("experiment_id")), rs.getString("user_id"),
                        RunStatus.parse(rs.getString("status")), Database.nullableLong(rs, "start_time"),
                        Database.nullableLong(rs, "end_time"), rs.getString("artifact_uri"),
                        LifecycleStage.fromDb(rs.getString("lifecycle_stage"))))
                .forEach(info -> into.put(info.runId(), new Run(info,
                        List.copyOf(metrics.getOrDefault(info.runId(), List.of())),
                        List.copyOf(params.getOrDefault(info.runId(), List.of())),
                        List.copyOf(tags.getOrDefault(info.runId(), List.of())),
                        List.copyOf(inputs.getOrDefault(info.runId(), List.of())))));
    }

    private Map<String, List<DatasetInput>> loadInputs(Handle h, List<String> ids) {
        record Row(String runId, String inputId, Dataset dataset) {
        }
        var rows = h.createQuery("SELECT i.run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type,"
                        + " d.dataset_source, d.dataset_schema, d.dataset_profile FROM inputs i"
                        + " JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid IN (<ids>)"
                        + " ORDER BY d.name, d.digest")
                .bindList("ids", ids)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), new Dataset(rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8))))
                .list();
        var result = new HashMap<String, List<DatasetInput>>();
        if (rows.isEmpty()) {
            return result;
        }
        var tags = new HashMap<String, List<Tag>>();
        h.createQuery("SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN (<ids>) ORDER BY name")
                .bindList("ids", rows.stream().map(Row::inputId).toList())
                .map((rs, ctx) -> Map.entry(rs.getString(1), new Tag(rs.getString(2), rs.getString(3))))
                .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        for (var row : rows) {
            result.computeIfAbsent(row.runId(), k -> new ArrayList<>())
                    .add(new DatasetInput(List.copyOf(tags.getOrDefault(row.inputId(), List.of())), row.dataset()));
        }
        return result;
    }

    private static Metric metric(java.sql.ResultSet rs) throws java.sql.SQLException {
        double value = rs.getInt("is_nan") == 1 ? Double.NaN : rs.getDouble("value");
        return new Metric(rs.getString("key"), value, rs.getLong("timestamp"), rs.getLong("step"));
    }

    private static void validateBatch(List<Metric> metrics, List<Param> params, List<Tag> tags) {
        if (metrics.size() > Validation.MAX_BATCH_METRICS) {
            throw LaunchpadException.invalid("A batch logging request can contain at most "
                    + Validation.MAX_BATCH_METRICS + " metrics. Got " + metrics.size()
                    + " metrics. Please split up metrics across multiple requests and try again.");
        }
        if (params.size() > Validation.MAX_BATCH_PARAMS) {
            throw LaunchpadException.invalid("A batch logging request can contain at most "
                    + Validation.MAX_BATCH_PARAMS + " params. Got " + params.size()
                    + " params. Please split up params across multiple requests and try again.");
        }
        if (tags.size() > Validation.MAX_BATCH_TAGS) {
            throw LaunchpadException.invalid("A batch logging request can contain at most "
                    + Validation.MAX_BATCH_TAGS + " tags. Got " + tags.size()
                    + " tags. Please split up tags across multiple requests and try again.");
        }
        int total = metrics.size() + params.size() + tags.size();
        if (total > Validation.MAX_BATCH_ENTITIES) {
            throw LaunchpadException.invalid("A batch logging request can contain at most "
                    + Validation.MAX_BATCH_ENTITIES + " total metrics, params, and tags. Got " + total
                    + ". Please split up across multiple requests and try again.");
        }
        for (var metric : metrics) {
            Validation.key("Metric", metric.key());
        }
        var seen = new HashMap<String, String>();
        for (var param : params) {
            Validation.key("Param", param.key());
            if (param.value() == null) {
                throw LaunchpadException.invalid("Missing value for required parameter 'value' of param '"
                        + param.key() + "'.");
            }
            Validation.value("Param", param.key(), param.value(), Validation.MAX_PARAM_VALUE_LENGTH);
            var previous = seen.putIfAbsent(param.key(), param.value());
            if (previous != null && !previous.equals(param.value())) {
                throw LaunchpadException.invalid("Duplicate parameter keys have been submitted: ['" + param.key()
                        + "'] with different values. Please ensure the request contains only one value per key.");
            }
        }
        for (var tag : tags) {
            validateTag(tag);
        }
    }

    private static void validateTag(Tag tag) {
        Validation.key("Tag", tag.key());
        Validation.value("Tag", tag.key(), tag.value(), Validation.MAX_TAG_VALUE_LENGTH);
    }

    private static void validateDataset(DatasetInput input) {
        var dataset = input.dataset();
        if (dataset == null) {
            throw LaunchpadException.invalid("Missing value for required parameter 'dataset'.");
        }
        require("dataset.name", dataset.name());
        require("dataset.digest", dataset.digest());
        require("dataset.source_type", dataset.sourceType());
        require("dataset.source", dataset.source());
        for (var field : new String[] {dataset.name(), dataset.digest(), dataset.sourceType()}) {
            if (field.length() > 500) {
                throw LaunchpadException.invalid("Dataset field '" + field.substring(0, 32)
                        + "...' exceeds the length limit of 500");
            }
        }
        for (var field : new String[] {dataset.source(), dataset.schema(), dataset.profile()}) {
            if (field != null && field.length() > Validation.MAX_DATASET_FIELD_LENGTH) {
                throw LaunchpadException.invalid("Dataset source, schema or profile exceeds the length limit of "
                        + Validation.MAX_DATASET_FIELD_LENGTH);
            }
        }
        for (var tag : input.tags()) {
            Validation.key("Input tag", tag.key());
            if (tag.value() == null) {
                throw LaunchpadException.invalid("Missing value for input tag '" + tag.key() + "'.");
            }
            Validation.value("Input tag", tag.key(), tag.value(), 500);
        }
    }

    private static void require(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter '" + name + "'. "
                    + "See the API docs for more information about request parameters.");
        }
    }

    private static String stripSlash(String location) {
        return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    }

    static LaunchpadException runNotFound(String runId) {
        return LaunchpadException.notFound("Run '" + runId + "' not found");
    }
}
