package dev.launchpad.platform.registry;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.Sql;
import dev.launchpad.platform.tracking.MlflowTags;
import dev.launchpad.platform.tracking.PageToken;
import dev.launchpad.platform.tracking.Page;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.platform.tracking.Tag;
import dev.launchpad.platform.tracking.Validation;
import dev.launchpad.platform.tracking.search.Clause;
import dev.launchpad.platform.tracking.search.EntityType;
import dev.launchpad.platform.tracking.search.FilterSql;
import dev.launchpad.platform.tracking.search.OrderBy;
import dev.launchpad.platform.tracking.search.SearchFilterParser;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model registry: registered models, their versions (with lineage frozen at registration),
 * stages (legacy), aliases and tags, with MLflow's semantics and error messages.
 */
public final class RegistryService {
    private static final int MAX_NAME_LENGTH = 256;
    private static final int DEFAULT_MODELS_PAGE = 100;
    private static final int MAX_MODELS_PAGE = 1000;
    private static final int DEFAULT_VERSIONS_PAGE = 10_000;
    private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]{1,255}$");
    private static final Pattern VERSION_LIKE_ALIAS = Pattern.compile("^[vV]\\d+$");

    private final Database db;
    private final Clock clock;
    private final RunService runs;
    private final PromotionGuard guard;
    private final List<ModelReferences> references = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RegistryService(Database db, Clock clock, RunService runs) {
        this(db, clock, runs, PromotionGuard.NONE);
    }

    /** A registry whose alias and stage changes must pass {@code guard} (e.g. approvals). */
    public RegistryService(Database db, Clock clock, RunService runs, PromotionGuard guard) {
        this.db = db;
        this.clock = clock;
        this.runs = runs;
        this.guard = guard;
    }

    /** Lets {@code referrer} follow renames and hold back deletions of what it names (see {@link ModelReferences}). */
    public void addReferences(ModelReferences referrer) {
        references.add(referrer);
    }

    // ------------------------------------------------------------------ registered models

    public RegisteredModel createRegisteredModel(String name, String description, List<Tag> tags) {
        validateName(name);
        tags.forEach(RegistryService::validateTag);
        long now = clock.millis();
        try {
            db.writeVoid(h -> {
                if (exists(h, name)) {
                    throw LaunchpadException.alreadyExists("Registered Model (name=" + name + ") already exists.");
                }
                h.createUpdate("INSERT INTO registered_models (name, creation_time, last_updated_time, description)"
                                + " VALUES (:name, :now, :now, :description)")
                        .bind("name", name).bind("now", now).bind("description", description).execute();
                upsertTags(h, "registered_model_tags", Map.of("name", name), tags);
            });
        } catch (RuntimeException e) {
            if (!(e instanceof LaunchpadException) && Database.isUniqueViolation(e)) {
                throw LaunchpadException.alreadyExists("Registered Model (name=" + name + ") already exists.");
            }
            throw e;
        }
        return getRegisteredModel(name);
    }

    public RegisteredModel getRegisteredModel(String name) {
        validateName(name);
        return db.read(h -> loadModels(h, List.of(name)).stream().findFirst()
                .orElseThrow(() -> modelNotFound(name)));
    }

    public RegisteredModel renameRegisteredModel(String name, String newName) {
        validateName(name);
        validateName(newName);
        db.writeVoid(h -> {
            requireModel(h, name);
            if (!name.equals(newName) && exists(h, newName)) {
                throw LaunchpadException.alreadyExists("Registered Model (name=" + newName + ") already exists.");
            }
            lockModel(h, name);
            h.createUpdate("UPDATE registered_models SET name = :new, last_updated_time = :now WHERE name = :name")
                    .bind("new", newName).bind("now", clock.millis()).bind("name", name).execute();
            if (!name.equals(newName)) {
                references.forEach(r -> r.renamed(h, name, newName));
            }
        });
        return getRegisteredModel(newName);
    }

    public RegisteredModel updateRegisteredModel(String name, String description) {
        validateName(name);
        db.writeVoid(h -> {
            requireModel(h, name);
            h.createUpdate("UPDATE registered_models SET description = :d, last_updated_time = :now WHERE name = :name")
                    .bind("d", description).bind("now", clock.millis()).bind("name", name).execute();
        });
        return getRegisteredModel(name);
    }

    /** Deletes a registered model with all its versions, tags, aliases and cards. */
    public void deleteRegisteredModel(String name) {
        validateName(name);
        db.writeVoid(h -> {
            requireModel(h, name);
            lockModel(h, name);
            references.forEach(r -> r.checkDeletable(h, name, null, null));
            h.createUpdate("DELETE FROM registered_models WHERE name = :name").bind("name", name).execute();
        });
    }

    public void setRegisteredModelTag(String name, String key, String value) {
        validateName(name);
        validateTag(new Tag(key, value));
        db.writeVoid(h -> {
            requireModel(h, name);
            upsertTags(h, "registered_model_tags", Map.of("name", name), List.of(new Tag(key, value)));
        });
    }

    public void deleteRegisteredModelTag(String name, String key) {
        validateName(name);
        Validation.key("Tag", key);
        db.writeVoid(h -> {
            requireModel(h, name);
            h.createUpdate("DELETE FROM registered_model_tags WHERE name = :name AND key = :key")
                    .bind("name", name).bind("key", key).execute();
        });
    }

    /** Searches registered models by {@code name} and {@code tags.<key>}; orders by name or timestamps. */
    public Page<RegisteredModel> searchRegisteredModels(String filter, Integer maxResults, List<String> orderBy,
                                                        String pageToken) {
        int limit = pageSize(maxResults, DEFAULT_MODELS_PAGE, MAX_MODELS_PAGE);
        int offset = PageToken.decode(pageToken);
        var sql = new Sql().append("SELECT m.name FROM registered_models m WHERE 1 = 1");
        for (var clause : SearchFilterParser.parse(filter)) {
            sql.append(" AND ");
            switch (clause.type()) {
                case TAG -> FilterSql.keyValueCondition(sql, clause, "registered_model_tags", "kv.name = m.name", "tag");
                case ATTRIBUTE -> nameCondition(sql, clause, "m.name");
                default -> throw LaunchpadException.invalid("Invalid filter on '" + clause.key()
                        + "' for registered models: only name and tags.<key> can be searched.");
            }
        }
        var order = new StringBuilder();
        for (var term : orderBy) {
            var parsed = SearchFilterParser.parseOrderBy(term);
            var column = switch (parsed.type() == EntityType.ATTRIBUTE ? parsed.key() : "") {
                case "name" -> "m.name";
                case "timestamp", "last_updated_timestamp" -> "m.last_updated_time";
                case "creation_timestamp" -> "m.creation_time";
                default -> throw LaunchpadException.invalid("Invalid order_by clause '" + term
                        + "'. Registered models can be ordered by name, creation_timestamp or last_updated_timestamp.");
            };
            order.append(column).append(parsed.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append(" ORDER BY ").append(order.toString()).append("m.name ASC");
        sql.append(" LIMIT ").value(limit + 1).append(" OFFSET ").value(offset);
        return db.read(h -> {
            var names = sql.bindTo(h.createQuery(sql.text())).mapTo(String.class).list();
            boolean more = names.size() > limit;
            var page = more ? names.subList(0, limit) : names;
            return new Page<>(loadModels(h, page), more ? PageToken.encode((long) offset + limit) : null);
        });
    }

    /** The latest version in each requested stage (all stages when none are given). */
    public List<ModelVersion> getLatestVersions(String name, List<String> stages) {
        validateName(name);
        var wanted = stages.stream().map(Stage::parse).toList();
        return db.read(h -> {
            requireModel(h, name);
            return latestVersions(h, name).stream()
                    .filter(v -> wanted.isEmpty() || wanted.contains(v.stage())).toList();
        });
    }

    // ------------------------------------------------------------------ aliases

    public void setAlias(String name, String alias, String version) {
        validateName(name);
        validateAlias(alias);
        int number = parseVersion(version);
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            guard.checkAlias(h, name, alias, number);
            h.createUpdate("INSERT INTO registered_model_aliases (name, alias, version) VALUES (:name, :alias, :v)"
                            + " ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version")
                    .bind("name", name).bind("alias", alias).bind("v", number).execute();
            touch(h, name);
        });
    }

    public void deleteAlias(String name, String alias) {
        validateName(name);
        validateAlias(alias);
        db.writeVoid(h -> {
            requireModel(h, name);
            lockModel(h, name);
            references.forEach(r -> r.checkDeletable(h, name, null, alias));
            h.createUpdate("DELETE FROM registered_model_aliases WHERE name = :name AND alias = :alias")
                    .bind("name", name).bind("alias", alias).execute();
        });
    }

    public ModelVersion getByAlias(String name, String alias) {
        validateName(name);
        if (alias == null || alias.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'alias'.");
        }
        return db.read(h -> {
            requireModel(h, name);
            var version = h.createQuery("SELECT version FROM registered_model_aliases WHERE name = :name AND alias = :alias")
                    .bind("name", name).bind("alias", alias).mapTo(Integer.class).findOne()
                    .orElseThrow(() -> LaunchpadException.notFound("Registered model alias " + alias + " not found."));
            return loadVersion(h, name, version).orElseThrow(() -> versionNotFound(name, version));
        });
    }

    // ------------------------------------------------------------------ model versions

    /**
     * Registers a new version of a model from a source URI ({@code runs:/<run>/path},
     * {@code mlflow-artifacts:/...}, {@code models:/...}, {@code s3://...}); records its lineage from the run.
     */
    public ModelVersion createModelVersion(String name, String source, String runId, List<Tag> tags, String runLink,
                                           String description, String userId) {
        validateName(name);
        tags.forEach(RegistryService::validateTag);
        if (source == null || source.isBlank()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'source'.");
        }
        if (source.contains("..") || source.indexOf('\0') >= 0) {
            throw LaunchpadException.invalid("Invalid model version source '" + source + "': it may not contain '..'.");
        }
        var effectiveRunId = runId != null && !runId.isEmpty() ? runId : runIdOf(source);
        var run = effectiveRunId == null ? null : runs.get(effectiveRunId);
        var storage = storageLocation(source);
        var creator = userId != null && !userId.isEmpty() ? userId : run != null ? run.info().userId() : "";
        long now = clock.millis();
        for (int attempt = 1; ; attempt++) {
            try {
                int version = insertVersion(name, source, effectiveRunId, run, storage, creator, tags, runLink,
                        description, now);
                return getModelVersion(name, Integer.toString(version));
            } catch (RuntimeException e) {
                // Two concurrent registrations (PostgreSQL) may pick the same next number: try again.
                if (attempt >= 5 || e instanceof LaunchpadException || !Database.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    private int insertVersion(String name, String source, String effectiveRunId,
                              dev.launchpad.platform.tracking.Run run, String storage, String creator, List<Tag> tags,
                              String runLink, String description, long now) {
        return db.write(h -> {
            requireModel(h, name);
            // numbers are never reused, even after the newest version was deleted
            int next = h.createQuery("SELECT COALESCE(MAX(v), 0) + 1 FROM (SELECT MAX(version) AS v FROM model_versions"
                            + " WHERE name = :name UNION ALL SELECT last_version FROM model_version_numbers"
                            + " WHERE name = :name) numbers")
                    .bind("name", name).mapTo(Integer.class).one();
            h.createUpdate("DELETE FROM model_version_numbers WHERE name = :name").bind("name", name).execute();
            h.createUpdate("INSERT INTO model_version_numbers (name, last_version) VALUES (:name, :v)")
                    .bind("name", name).bind("v", next).execute();
            h.createUpdate("INSERT INTO model_versions (name, version, creation_time, last_updated_time, description,"
                            + " user_id, current_stage, source, storage_location, run_id, run_link, status,"
                            + " status_message, source_version) VALUES (:name, :v, :now, :now, :d, :user, 'None', :source,"
                            + " :storage, :run, :link, 'READY', NULL, :commit)")
                    .bind("name", name).bind("v", next).bind("now", now).bind("d", description).bind("user", creator)
                    .bind("source", source).bind("storage", storage).bind("run", effectiveRunId).bind("link", runLink)
                    .bind("commit", run == null ? null : run.sourceVersion().orElse(null))
                    .execute();
            upsertTags(h, "model_version_tags", Map.of("name", name, "version", next), tags);
            if (run != null) {
                var batch = h.prepareBatch("INSERT INTO model_version_datasets (name, version, dataset_name,"
                        + " dataset_digest, dataset_source, context) VALUES (:name, :v, :dn, :dd, :ds, :ctx)");
                int added = 0;
                for (var input : run.inputs()) {
                    var context = input.tags().stream().filter(t -> MlflowTags.DATASET_CONTEXT.equals(t.key()))
                            .map(Tag::value).findFirst().orElse(null);
                    batch.bind("name", name).bind("v", next).bind("dn", input.dataset().name())
                            .bind("dd", input.dataset().digest()).bind("ds", input.dataset().source())
                            .bind("ctx", context).add();
                    added++;
                }
                if (added > 0) {
                    batch.execute();
                }
            }
            touch(h, name);
            return next;
        });
    }

    public ModelVersion getModelVersion(String name, String version) {
        validateName(name);
        int number = parseVersion(version);
        return db.read(h -> loadVersion(h, name, number).orElseThrow(() -> versionNotFound(name, number)));
    }

    public ModelVersion updateModelVersion(String name, String version, String description) {
        validateName(name);
        int number = parseVersion(version);
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            h.createUpdate("UPDATE model_versions SET description = :d, last_updated_time = :now"
                            + " WHERE name = :name AND version = :v")
                    .bind("d", description).bind("now", clock.millis()).bind("name", name).bind("v", number).execute();
        });
        return getModelVersion(name, version);
    }

    /** Deletes a version, and the aliases that pointed at it (as MLflow does). */
    public void deleteModelVersion(String name, String version) {
        validateName(name);
        int number = parseVersion(version);
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            lockModel(h, name);
            references.forEach(r -> r.checkDeletable(h, name, number, null));
            h.createUpdate("DELETE FROM registered_model_aliases WHERE name = :name AND version = :v")
                    .bind("name", name).bind("v", number).execute();
            h.createUpdate("DELETE FROM model_versions WHERE name = :name AND version = :v")
                    .bind("name", name).bind("v", number).execute();
            touch(h, name);
        });
    }

    public ModelVersion transitionStage(String name, String version, String stage, boolean archiveExisting) {
        validateName(name);
        int number = parseVersion(version);
        var target = Stage.parse(stage);
        long now = clock.millis();
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            guard.checkStage(h, name, number, target);
            if (archiveExisting && (target == Stage.STAGING || target == Stage.PRODUCTION)) {
                h.createUpdate("UPDATE model_versions SET current_stage = 'Archived', last_updated_time = :now"
                                + " WHERE name = :name AND current_stage = :stage AND version <> :v")
                        .bind("now", now).bind("name", name).bind("stage", target.label()).bind("v", number).execute();
            }
            h.createUpdate("UPDATE model_versions SET current_stage = :stage, last_updated_time = :now"
                            + " WHERE name = :name AND version = :v")
                    .bind("stage", target.label()).bind("now", now).bind("name", name).bind("v", number).execute();
            touch(h, name);
        });
        return getModelVersion(name, version);
    }

    public void setModelVersionTag(String name, String version, String key, String value) {
        validateName(name);
        int number = parseVersion(version);
        validateTag(new Tag(key, value));
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            upsertTags(h, "model_version_tags", Map.of("name", name, "version", number), List.of(new Tag(key, value)));
        });
    }

    public void deleteModelVersionTag(String name, String version, String key) {
        validateName(name);
        int number = parseVersion(version);
        Validation.key("Tag", key);
        db.writeVoid(h -> {
            requireVersion(h, name, number);
            h.createUpdate("DELETE FROM model_version_tags WHERE name = :name AND version = :v AND key = :key")
                    .bind("name", name).bind("v", number).bind("key", key).execute();
        });
    }

    /** Where a version's files can be downloaded from (its resolved storage location). */
    public String getDownloadUri(String name, String version) {
        return getModelVersion(name, version).storageLocation();
    }

    /**
     * Searches model versions by {@code name}, {@code run_id}, {@code source_path}, {@code version_number}
     * and {@code tags.<key>}.
     */
    public Page<ModelVersion> searchModelVersions(String filter, Integer maxResults, List<String> orderBy,
                                                  String pageToken) {
        int limit = pageSize(maxResults, DEFAULT_VERSIONS_PAGE, 200_000);
        int offset = PageToken.decode(pageToken);
        var sql = new Sql().append("SELECT mv.name, mv.version FROM model_versions mv WHERE 1 = 1");
        for (var clause : SearchFilterParser.parse(filter)) {
            sql.append(" AND ");
            if (clause.type() == EntityType.TAG) {
                FilterSql.keyValueCondition(sql, clause, "model_version_tags",
                        "kv.name = mv.name AND kv.version = mv.version", "tag");
                continue;
            }
            if (clause.type() != EntityType.ATTRIBUTE) {
                throw LaunchpadException.invalid("Invalid filter on '" + clause.key() + "' for model versions.");
            }
            switch (clause.key()) {
                case "name" -> nameCondition(sql, clause, "mv.name");
                case "run_id" -> nameCondition(sql, clause, "mv.run_id");
                case "source_path", "source" -> nameCondition(sql, clause, "mv.source");
                case "version_number" -> {
                    FilterSql.requireNumeric(clause, "attribute");
                    sql.append("mv.version ").append(clause.comparator().text()).append(" ").value(clause.value());
                }
                default -> throw LaunchpadException.invalid("Invalid attribute '" + clause.key() + "' for model"
                        + " versions. Valid attributes are name, run_id, source_path, version_number and tags.<key>.");
            }
        }
        var order = new StringBuilder();
        for (var term : orderBy) {
            var parsed = SearchFilterParser.parseOrderBy(term);
            var column = switch (parsed.type() == EntityType.ATTRIBUTE ? parsed.key() : "") {
                case "name" -> "mv.name";
                case "version_number" -> "mv.version";
                case "creation_timestamp" -> "mv.creation_time";
                case "timestamp", "last_updated_timestamp" -> "mv.last_updated_time";
                default -> throw LaunchpadException.invalid("Invalid order_by clause '" + term + "'. Model versions"
                        + " can be ordered by name, version_number, creation_timestamp or last_updated_timestamp.");
            };
            order.append(column).append(parsed.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append(" ORDER BY ").append(order.toString()).append("mv.last_updated_time DESC, mv.name ASC, mv.version DESC");
        sql.append(" LIMIT ").value(limit + 1).append(" OFFSET ").value(offset);
        return db.read(h -> {
            record Key(String name, int version) {
            }
            var keys = sql.bindTo(h.createQuery(sql.text())).map((rs, ctx) -> new Key(rs.getString(1), rs.getInt(2))).list();
            boolean more = keys.size() > limit;
            var page = more ? keys.subList(0, limit) : keys;
            var versions = new ArrayList<ModelVersion>();
            for (var key : page) {
                loadVersion(h, key.name(), key.version()).ifPresent(versions::add);
            }
            return new Page<>(versions, more ? PageToken.encode((long) offset + limit) : null);
        });
    }

    /** Resolves a {@code models:/} URI (version, alias, stage or latest) to the version it names now. */
    public ModelVersion resolve(String modelUri) {
        var uri = ModelUri.parse(modelUri);
        return switch (uri) {
            case ModelUri.ByVersion v -> getModelVersion(v.name(), Integer.toString(v.version()));
            case ModelUri.ByAlias a -> getByAlias(a.name(), a.alias());
            case ModelUri.ByStage s -> getLatestVersions(s.name(), List.of(s.stage().label())).stream().findFirst()
                    .orElseThrow(() -> LaunchpadException.notFound("No version of registered model " + s.name()
                            + " is in stage " + s.stage().label()));
            case ModelUri.Latest l -> db.read(h -> {
                requireModel(h, l.name());
                var max = h.createQuery("SELECT MAX(version) FROM model_versions WHERE name = :name")
                        .bind("name", l.name()).mapTo(Integer.class).findOne();
                return max.flatMap(v -> loadVersion(h, l.name(), v))
                        .orElseThrow(() -> LaunchpadException.notFound("Registered model " + l.name()
                                + " has no versions"));
            });
        };
    }

    /** The lineage recorded for a version when it was registered. */
    public ModelLineage lineage(String name, String version) {
        var mv = getModelVersion(name, version);
        return db.read(h -> {
            var commit = h.createQuery("SELECT source_version FROM model_versions WHERE name = :name AND version = :v")
                    .bind("name", name).bind("v", mv.version()).mapTo(String.class).findOne().orElse(null);
            var datasets = h.createQuery("SELECT dataset_name, dataset_digest, dataset_source, context"
                            + " FROM model_version_datasets WHERE name = :name AND version = :v"
                            + " ORDER BY dataset_name, dataset_digest")
                    .bind("name", name).bind("v", mv.version())
                    .map((rs, ctx) -> new ModelLineage.LineageDataset(rs.getString(1), rs.getString(2),
                            rs.getString(3), rs.getString(4)))
                    .list();
            String experimentId = null;
            if (mv.runId() != null) {
                experimentId = h.createQuery("SELECT experiment_id FROM runs WHERE run_uuid = :run")
                        .bind("run", mv.runId()).mapTo(Long.class).findOne().map(String::valueOf).orElse(null);
            }
            return new ModelLineage(mv.name(), mv.version(), mv.runId(), experimentId, mv.source(), commit,
                    mv.userId(), mv.creationTime(), datasets);
        });
    }

    // ------------------------------------------------------------------ internals

    /** Where a source's files are: {@code runs:/} and {@code models:/} URIs resolved, anything else as given. */
    /**
     * The model version whose files are at or under {@code location} (a store URI such as
     * {@code mlflow-artifacts:/0/<run>/artifacts/model/model.onnx}), or that lie under it (a directory
     * about to be deleted): such files belong to a registered version and must not change.
     */
    public java.util.Optional<ModelVersion> versionStoredAt(String location) {
        var trimmed = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return db.read(h -> h.createQuery("SELECT name, version FROM model_versions"
                        + " WHERE (substr(:loc, 1, length(storage_location)) = storage_location"
                        + "        AND (length(:loc) = length(storage_location)"
                        + "             OR substr(:loc, length(storage_location) + 1, 1) = '/'))"
                        + " OR (substr(storage_location, 1, length(:loc)) = :loc"
                        + "        AND substr(storage_location, length(:loc) + 1, 1) = '/')"
                        + " ORDER BY name, version LIMIT 1")
                .bind("loc", trimmed)
                .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getInt(2)}).findOne())
                .map(row -> getModelVersion((String) row[0], String.valueOf(row[1])));
    }

    private String storageLocation(String source) {
        if (source.startsWith("runs:/")) {
            var rest = source.substring("runs:/".length());
            int slash = rest.indexOf('/');
            var runId = slash < 0 ? rest : rest.substring(0, slash);
            var path = slash < 0 ? "" : rest.substring(slash + 1);
            var base = runs.get(runId).info().artifactUri();
            return path.isEmpty() ? base : base + "/" + path;
        }
        if (ModelUri.isModelUri(source)) {
            return resolve(source).storageLocation();
        }
        return source;
    }

    private static String runIdOf(String source) {
        if (source.startsWith("runs:/")) {
            var rest = source.substring("runs:/".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(0, slash);
        }
        return null;
    }

    private void touch(Handle h, String name) {
        h.createUpdate("UPDATE registered_models SET last_updated_time = :now WHERE name = :name")
                .bind("now", clock.millis()).bind("name", name).execute();
    }

    private static void nameCondition(Sql sql, Clause clause, String column) {
        FilterSql.requireString(clause, "attribute");
        if (clause.comparator() == dev.launchpad.platform.tracking.search.Comparator.IS_NULL
                || clause.comparator() == dev.launchpad.platform.tracking.search.Comparator.IS_NOT_NULL) {
            sql.append(column).append(" ").append(clause.comparator().text());
        } else {
            FilterSql.stringComparison(sql, column, clause);
        }
    }

    private static void upsertTags(Handle h, String table, Map<String, Object> owner, List<Tag> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var columns = String.join(", ", owner.keySet());
        var values = String.join(", ", owner.keySet().stream().map(c -> ":" + c).toList());
        var batch = h.prepareBatch("INSERT INTO " + table + " (" + columns + ", key, value) VALUES (" + values
                + ", :key, :value) ON CONFLICT (" + columns + ", key) DO UPDATE SET value = excluded.value");
        for (var tag : tags) {
            owner.forEach(batch::bind);
            batch.bind("key", tag.key()).bind("value", tag.value()).add();
        }
        batch.execute();
    }

    private static boolean exists(Handle h, String name) {
        return h.createQuery("SELECT 1 FROM registered_models WHERE name = :name").bind("name", name)
                .mapTo(Integer.class).findOne().isPresent();
    }

    /**
     * Locks the model's row until the transaction ends (PostgreSQL; SQLite writes one transaction at a time), so that
     * its {@link ModelReferences} are asked while no deployment can be pointed at it (deployments lock it too).
     */
    private void lockModel(Handle h, String name) {
        h.createQuery("SELECT name FROM registered_models WHERE name = :name" + db.dialect().rowLock()).bind("name", name)
                .mapTo(String.class).findOne();
    }

    private static void requireModel(Handle h, String name) {
        if (!exists(h, name)) {
            throw modelNotFound(name);
        }
    }

    private static void requireVersion(Handle h, String name, int version) {
        requireModel(h, name);
        var found = h.createQuery("SELECT 1 FROM model_versions WHERE name = :name AND version = :v")
                .bind("name", name).bind("v", version).mapTo(Integer.class).findOne().isPresent();
        if (!found) {
            throw versionNotFound(name, version);
        }
    }

    private List<RegisteredModel> loadModels(Handle h, List<String> names) {
        var result = new ArrayList<RegisteredModel>();
        for (var name : names) {
            h.createQuery("SELECT name, creation_time, last_updated_time, description FROM registered_models"
                            + " WHERE name = :name")
                    .bind("name", name)
                    .map((rs, ctx) -> new RegisteredModel(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            rs.getString(4), List.of(), List.of(), List.of()))
                    .findOne()
                    .ifPresent(m -> result.add(new RegisteredModel(m.name(), m.creationTime(), m.lastUpdatedTime(),
                            m.description(), tags(h, "registered_model_tags", "name = :name", Map.of("name", name)),
                            aliases(h, name), latestVersions(h, name))));
        }
        return result;
    }

    private List<ModelVersion> latestVersions(Handle h, String name) {
        var latest = new ArrayList<ModelVersion>();
        h.createQuery("SELECT current_stage, MAX(version) FROM model_versions WHERE name = :name"
                        + " GROUP BY current_stage")
                .bind("name", name)
                .map((rs, ctx) -> rs.getInt(2)).list()
                .forEach(v -> loadVersion(h, name, v).ifPresent(latest::add));
        latest.sort(java.util.Comparator.comparingInt(ModelVersion::version));
        return latest;
    }

    private static List<ModelAlias> aliases(Handle h, String name) {
        return h.createQuery("SELECT alias, version FROM registered_model_aliases WHERE name = :name ORDER BY alias")
                .bind("name", name).map((rs, ctx) -> new ModelAlias(rs.getString(1), rs.getInt(2))).list();
    }

    private static List<Tag> tags(Handle h, String table, String where, Map<String, Object> args) {
        var query = h.createQuery("SELECT key, value FROM " + table + " WHERE " + where + " ORDER BY key");
        args.forEach(query::bind);
        return query.map((rs, ctx) -> new Tag(rs.getString(1), rs.getString(2))).list();
    }

    private Optional<ModelVersion> loadVersion(Handle h, String name, int version) {
        var args = new LinkedHashMap<String, Object>();
        args.put("name", name);
        args.put("v", version);
        var tags = tags(h, "model_version_tags", "name = :name AND version = :v", args);
        var aliases = h.createQuery("SELECT alias FROM registered_model_aliases WHERE name = :name AND version = :v"
                        + " ORDER BY alias")
                .bind("name", name).bind("v", version).mapTo(String.class).list();
        return h.createQuery("SELECT * FROM model_versions WHERE name = :name AND version = :v")
                .bind("name", name).bind("v", version)
                .map((rs, ctx) -> version(rs, tags, aliases)).findOne();
    }

    private static ModelVersion version(ResultSet rs, List<Tag> tags, List<String> aliases) throws SQLException {
        return new ModelVersion(rs.getString("name"), rs.getInt("version"), rs.getLong("creation_time"),
                rs.getLong("last_updated_time"), rs.getString("description"), rs.getString("user_id"),
                Stage.parse(rs.getString("current_stage")), rs.getString("source"), rs.getString("storage_location"),
                rs.getString("run_id"), rs.getString("run_link"), rs.getString("status"),
                rs.getString("status_message"), tags, aliases);
    }

    private static int pageSize(Integer requested, int defaultValue, int max) {
        if (requested == null) {
            return defaultValue;
        }
        if (requested <= 0 || requested > max) {
            throw LaunchpadException.invalid("Invalid value " + requested + " for parameter 'max_results' supplied."
                    + " It must be between 1 and " + max);
        }
        return requested;
    }

    static int parseVersion(String version) {
        if (version == null || version.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'version'.");
        }
        try {
            int v = Integer.parseInt(version.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw LaunchpadException.invalid("Model version must be a positive integer, got '" + version + "'");
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'name'. "
                    + "See the API docs for more information about request parameters.");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw LaunchpadException.invalid("Registered model name exceeds the length limit of " + MAX_NAME_LENGTH);
        }
        if (name.contains("/") || name.contains("@") || name.indexOf('\0') >= 0 || name.isBlank()) {
            throw LaunchpadException.invalid("Invalid registered model name '" + name
                    + "': it may not contain '/' or '@', so that models:/ URIs can name it.");
        }
    }

    private static void validateAlias(String alias) {
        if (alias == null || alias.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'alias'.");
        }
        if (!ALIAS.matcher(alias).matches() || VERSION_LIKE_ALIAS.matcher(alias).matches()
                || alias.equalsIgnoreCase("latest")) {
            throw LaunchpadException.invalid("Invalid alias name '" + alias + "'. Aliases may only contain"
                    + " alphanumerics, underscores and dashes, and may not be 'latest' or look like a version (v1).");
        }
    }

    private static void validateTag(Tag tag) {
        Validation.key("Tag", tag.key());
        Validation.value("Tag", tag.key(), tag.value(), Validation.MAX_TAG_VALUE_LENGTH);
    }

    private static LaunchpadException modelNotFound(String name) {
        return LaunchpadException.notFound("Registered Model with name=" + name + " not found");
    }

    private static LaunchpadException versionNotFound(String name, int version) {
        return LaunchpadException.notFound("Model Version (name=" + name + ", version=" + version + ") not found");
    }
}
