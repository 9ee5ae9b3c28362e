package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.search.ExperimentSearchSql;
import dev.launchpad.platform.tracking.search.OrderBy;
import dev.launchpad.platform.tracking.search.SearchFilterParser;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Experiments: create, read, rename, soft-delete and restore (with their runs), tag and search. */
public final class ExperimentService {
    public static final String DEFAULT_EXPERIMENT_ID = "0";
    private static final int DEFAULT_MAX_RESULTS = 1000;

    private final Database db;
    private final Clock clock;

    public ExperimentService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Creates an experiment and returns its id; its artifact location defaults to {@code mlflow-artifacts:/<id>}. */
    public String create(String name, String artifactLocation, List<Tag> tags) {
        validateName(name);
        for (var tag : tags) {
            Validation.key("Tag", tag.key());
            Validation.value("Tag", tag.key(), tag.value(), Validation.MAX_EXPERIMENT_TAG_VALUE_LENGTH);
        }
        long now = clock.millis();
        try {
            return db.write(h -> {
                if (h.createQuery("SELECT 1 FROM experiments WHERE name = :name").bind("name", name)
                        .mapTo(Integer.class).findOne().isPresent()) {
                    throw alreadyExists(name);
                }
                long id = h.createQuery("INSERT INTO experiments (name, artifact_location, lifecycle_stage,"
                                + " creation_time, last_update_time) VALUES (:name, :loc, 'active', :now, :now)"
                                + " RETURNING experiment_id")
                        .bind("name", name).bind("loc", artifactLocation).bind("now", now)
                        .mapTo(Long.class).one();
                if (artifactLocation == null || artifactLocation.isEmpty()) {
                    h.createUpdate("UPDATE experiments SET artifact_location = :loc WHERE experiment_id = :id")
                            .bind("loc", "mlflow-artifacts:/" + id).bind("id", id).execute();
                }
                var batch = h.prepareBatch("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (:id, :key, :value)"
                        + " ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value");
                for (var tag : tags) {
                    batch.bind("id", id).bind("key", tag.key()).bind("value", tag.value()).add();
                }
                if (!tags.isEmpty()) {
                    batch.execute();
                }
                return Long.toString(id);
            });
        } catch (RuntimeException e) {
            if (!(e instanceof LaunchpadException) && Database.isUniqueViolation(e)) {
                throw alreadyExists(name);
            }
            throw e;
        }
    }

    public Experiment get(String experimentId) {
        long id = parseId(experimentId);
        return db.read(h -> find(h, id)).orElseThrow(() -> notFound(experimentId));
    }

    public Experiment getByName(String name) {
        if (name == null || name.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'experiment_name'. "
                    + "See the API docs for more information about request parameters.");
        }
        return db.read(h -> h.createQuery("SELECT experiment_id FROM experiments WHERE name = :name")
                        .bind("name", name).mapTo(Long.class).findOne().flatMap(id -> find(h, id)))
                .orElseThrow(() -> LaunchpadException.notFound("Could not find experiment with name " + name));
    }

    public void rename(String experimentId, String newName) {
        validateName(newName);
        long id = parseId(experimentId);
        try {
            db.writeVoid(h -> {
                var experiment = find(h, id).orElseThrow(() -> notFound(experimentId));
                if (experiment.lifecycleStage() != LifecycleStage.ACTIVE) {
                    throw LaunchpadException.invalid("Cannot rename a non-active experiment.");
                }
                if (experiment.name().equals(newName)) {
                    return;
                }
                if (h.createQuery("SELECT 1 FROM experiments WHERE name = :name").bind("name", newName)
                        .mapTo(Integer.class).findOne().isPresent()) {
                    throw alreadyExists(newName);
                }
                h.createUpdate("UPDATE experiments SET name = :name, last_update_time = :now WHERE experiment_id = :id")
                        .bind("name", newName).bind("now", clock.millis()).bind("id", id).execute();
            });
        } catch (RuntimeException e) {
            if (!(e instanceof LaunchpadException) && Database.isUniqueViolation(e)) {
                throw alreadyExists(newName);
            }
            throw e;
        }
    }

    /** Soft-deletes an experiment and its runs; {@link #restore} brings both back. */
    public void delete(String experimentId) {
        if (DEFAULT_EXPERIMENT_ID.equals(experimentId)) {
            throw LaunchpadException.invalid("Cannot delete the default experiment '0'. This is an internal"
                    + " experiment that holds runs created without an experiment.");
        }
        setLifecycle(experimentId, LifecycleStage.DELETED);
    }

    public void restore(String experimentId) {
        setLifecycle(experimentId, LifecycleStage.ACTIVE);
    }

    private void setLifecycle(String experimentId, LifecycleStage stage) {
        long id = parseId(experimentId);
        long now = clock.millis();
        db.writeVoid(h -> {
            var experiment = find(h, id).orElseThrow(() -> notFound(experimentId));
            if (experiment.lifecycleStage() == stage) {
                if (stage == LifecycleStage.ACTIVE) {
                    throw LaunchpadException.invalid("Cannot restore an active experiment.");
                }
                throw LaunchpadException.invalid("Cannot delete an already deleted experiment.");
            }
            h.createUpdate("UPDATE experiments SET lifecycle_stage = :stage, last_update_time = :now"
                            + " WHERE experiment_id = :id")
                    .bind("stage", stage.dbName()).bind("now", now).bind("id", id).execute();
            var other = stage == LifecycleStage.ACTIVE ? LifecycleStage.DELETED : LifecycleStage.ACTIVE;
            h.createUpdate("UPDATE runs SET lifecycle_stage = :stage, deleted_time = :deleted"
                            + " WHERE experiment_id = :id AND lifecycle_stage = :other")
                    .bind("stage", stage.dbName()).bind("deleted", stage == LifecycleStage.DELETED ? now : null)
                    .bind("id", id).bind("other", other.dbName()).execute();
        });
    }

    public void setTag(String experimentId, String key, String value) {
        Validation.key("Tag", key);
        Validation.value("Tag", key, value, Validation.MAX_EXPERIMENT_TAG_VALUE_LENGTH);
        long id = parseId(experimentId);
        db.writeVoid(h -> {
            requireActive(h, id, experimentId);
            h.createUpdate("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (:id, :key, :value)"
                            + " ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value")
                    .bind("id", id).bind("key", key).bind("value", value).execute();
        });
    }

    public void deleteTag(String experimentId, String key) {
        Validation.key("Tag", key);
        long id = parseId(experimentId);
        db.writeVoid(h -> {
            requireActive(h, id, experimentId);
            int deleted = h.createUpdate("DELETE FROM experiment_tags WHERE experiment_id = :id AND key = :key")
                    .bind("id", id).bind("key", key).execute();
            if (deleted == 0) {
                throw LaunchpadException.notFound("No tag with name: " + key + " in experiment with id "
                        + experimentId);
            }
        });
    }

    public Page<Experiment> search(ViewType viewType, String filter, List<String> orderBy, Integer maxResults,
                                   String pageToken) {
        int limit = Validation.maxResults(maxResults, DEFAULT_MAX_RESULTS);
        int offset = PageToken.decode(pageToken);
        var clauses = SearchFilterParser.parse(filter);
        var orderBys = new ArrayList<OrderBy>();
        for (var term : orderBy) {
            orderBys.add(SearchFilterParser.parseOrderBy(term));
        }
        var sql = ExperimentSearchSql.build(viewType.stages(), clauses, orderBys, offset, limit + 1);
        return db.read(h -> {
            var ids = sql.bindTo(h.createQuery(sql.text())).mapTo(Long.class).list();
            var more = ids.size() > limit;
            var page = more ? ids.subList(0, limit) : ids;
            var byId = load(h, page);
            var experiments = page.stream().map(byId::get).toList();
            return new Page<>(experiments, more ? PageToken.encode((long) offset + limit) : null);
        });
    }

    /** Checks that an experiment exists and is active; runs may only be created in active experiments. */
    void requireActive(Handle h, long id, String experimentId) {
        var stage = h.createQuery("SELECT lifecycle_stage FROM experiments WHERE experiment_id = :id")
                .bind("id", id).mapTo(String.class).findOne().orElseThrow(() -> notFound(experimentId));
        if (!LifecycleStage.ACTIVE.dbName().equals(stage)) {
            throw LaunchpadException.invalid("The experiment " + experimentId
                    + " must be in the 'active' state. Current state is " + stage + ".");
        }
    }

    java.util.Optional<Experiment> find(Handle h, long id) {
        return load(h, List.of(id)).values().stream().findFirst();
    }

    private Map<Long, Experiment> load(Handle h, List<Long> ids) {
        var result = new HashMap<Long, Experiment>();
        if (ids.isEmpty()) {
            return result;
        }
        var tags = new HashMap<Long, List<Tag>>();
        h.createQuery("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (<ids>)"
                        + " ORDER BY key")
                .bindList("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new Tag(rs.getString(2), rs.getString(3))))
                .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        h.createQuery("SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time,"
                        + " last_update_time FROM experiments WHERE experiment_id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> new Experiment(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3),
                        LifecycleStage.fromDb(rs.getString(4)), rs.getLong(5), rs.getLong(6),
                        List.copyOf(tags.getOrDefault(rs.getLong(1), List.of()))))
                .forEach(e -> result.put(Long.parseLong(e.experimentId()), e));
        return result;
    }

    /** Parses an experiment id; ids that cannot exist are reported as not found. */
    static long parseId(String experimentId) {
        if (experimentId == null || experimentId.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'experiment_id'. "
                    + "See the API docs for more information about request parameters.");
        }
        try {
            long id = Long.parseLong(experimentId);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw notFound(experimentId);
    }

    private static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw LaunchpadException.invalid("Invalid experiment name: '" + (name == null ? "" : name)
                    + "'. Expects a non-empty string.");
        }
        if (name.length() > Validation.MAX_EXPERIMENT_NAME_LENGTH) {
            throw LaunchpadException.invalid("Experiment name had length " + name.length()
                    + ", which exceeded length limit of " + Validation.MAX_EXPERIMENT_NAME_LENGTH);
        }
    }

    private static LaunchpadException notFound(String experimentId) {
        return LaunchpadException.notFound("No Experiment with id=" + experimentId + " exists");
    }

    private static LaunchpadException alreadyExists(String name) {
        return LaunchpadException.alreadyExists("Experiment '" + name + "' already exists.");
    }
}
