package dev.launchpad.platform.deploy;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.registry.ModelReferences;
import dev.launchpad.platform.registry.ModelVersion;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Deployments as stored records: create, read, retarget, re-tune and delete them, and resolve the
 * model version each one should serve now. Serving them is the server's job; this is the bookkeeping.
 * As the registry's {@link ModelReferences}, deployments follow their model when it is renamed, and the
 * model, the pinned version or the followed alias (with the version it points at) cannot be deleted from
 * under them.
 */
public final class DeploymentService implements ModelReferences {
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$");

    private final Database db;
    private final Clock clock;
    private final RegistryService registry;
    private final List<DeploymentReferences> references = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DeploymentService(Database db, Clock clock, RegistryService registry) {
        this.db = db;
        this.clock = clock;
        this.registry = registry;
        registry.addReferences(this);
    }

    /** Lets {@code referrer} delete what it keeps for a deployment when the deployment is deleted. */
    public void addReferences(DeploymentReferences referrer) {
        references.add(referrer);
    }

    @Override
    public void renamed(Handle h, String oldName, String newName) {
        h.createUpdate("UPDATE deployments SET model_name = :new WHERE model_name = :old").bind("new", newName)
                .bind("old", oldName).execute();
    }

    @Override
    public void checkDeletable(Handle h, String name, Integer version, String alias) {
        var query = h.createQuery("SELECT d.name FROM deployments d WHERE d.model_name = :m"
                + (version != null ? " AND (d.model_version = :v OR d.model_alias IN (SELECT a.alias FROM"
                        + " registered_model_aliases a WHERE a.name = :m AND a.version = :v))" : "")
                + (alias != null ? " AND d.model_alias = :a" : "") + " ORDER BY d.name").bind("m", name);
        if (version != null) {
            query.bind("v", version.intValue());
        }
        if (alias != null) {
            query.bind("a", alias);
        }
        var users = query.mapTo(String.class).list();
        if (!users.isEmpty()) {
            var what = version != null ? "Version " + version + " of model '" + name + "'"
                    : alias != null ? "Alias '" + alias + "' of model '" + name + "'" : "Model '" + name + "'";
            throw new LaunchpadException(ErrorCode.INVALID_STATE, what + " is served by deployment"
                    + (users.size() == 1 ? " " : "s ") + String.join(", ", users)
                    + "; point " + (users.size() == 1 ? "it" : "them") + " at another model or version, or delete "
                    + (users.size() == 1 ? "it" : "them") + ", first.");
        }
    }

    /** What a deployment should serve and how: exactly one of {@code version} and {@code alias}. */
    public record Spec(String modelName, Integer version, String alias, BatchingSettings batching, String description) {
        public Spec {
            if (modelName == null || modelName.isBlank()) {
                throw LaunchpadException.invalid("Missing value for required parameter 'model'.");
            }
            if ((version == null) == (alias == null || alias.isEmpty())) {
                throw LaunchpadException.invalid("Give exactly one of 'version' and 'alias' for the deployment's model.");
            }
            if (alias != null && alias.isEmpty()) {
                alias = null;
            }
            if (batching == null) {
                batching = BatchingSettings.DEFAULTS;
            }
        }
    }

    public Deployment create(String name, Spec spec) {
        validateName(name);
        resolve(spec.modelName(), spec.version(), spec.alias());
        long now = clock.millis();
        try {
            db.writeVoid(h -> {
                if (find(h, name).isPresent()) {
                    throw alreadyExists(name);
                }
                requireTarget(h, spec);
                h.createUpdate("INSERT INTO deployments (name, model_name, model_version, model_alias, max_batch_size,"
                                + " max_queue_delay_us, max_queue_size, description, creation_time, last_updated_time)"
                                + " VALUES (:name, :model, :version, :alias, :batch, :delay, :queue, :description, :now, :now)")
                        .bind("name", name).bind("model", spec.modelName()).bind("version", spec.version())
                        .bind("alias", spec.alias()).bind("batch", spec.batching().maxBatchSize())
                        .bind("delay", spec.batching().maxQueueDelayMicros())
                        .bind("queue", spec.batching().maxQueueSize()).bind("description", spec.description())
                        .bind("now", now).execute();
            });
        } catch (RuntimeException e) {
            if (!(e instanceof LaunchpadException) && Database.isUniqueViolation(e)) {
                throw alreadyExists(name);
            }
            throw e;
        }
        return get(name);
    }

    public Deployment get(String name) {
        validateName(name);
        return db.read(h -> find(h, name)).orElseThrow(() -> notFound(name));
    }

    /** All deployments, by name. */
    public List<Deployment> list() {
        return db.read(h -> h.createQuery("SELECT * FROM deployments ORDER BY name").map((rs, ctx) -> map(rs)).list());
    }

    /** Replaces a deployment's target, batching and description; the serving layer swaps to it. */
    public Deployment update(String name, Spec spec) {
        validateName(name);
        resolve(spec.modelName(), spec.version(), spec.alias());
        long now = clock.millis();
        db.writeVoid(h -> {
            requireTarget(h, spec);
            int updated = h.createUpdate("UPDATE deployments SET model_name = :model, model_version = :version,"
                            + " model_alias = :alias, max_batch_size = :batch, max_queue_delay_us = :delay,"
                            + " max_queue_size = :queue, description = :description, last_updated_time = :now"
                            + " WHERE name = :name")
                    .bind("name", name).bind("model", spec.modelName()).bind("version", spec.version())
                    .bind("alias", spec.alias()).bind("batch", spec.batching().maxBatchSize())
                    .bind("delay", spec.batching().maxQueueDelayMicros())
                    .bind("queue", spec.batching().maxQueueSize()).bind("description", spec.description())
                    .bind("now", now).execute();
            if (updated == 0) {
                throw notFound(name);
            }
        });
        return get(name);
    }

    public void delete(String name) {
        validateName(name);
        db.writeVoid(h -> {
            if (h.createUpdate("DELETE FROM deployments WHERE name = :name").bind("name", name).execute() == 0) {
                throw notFound(name);
            }
            references.forEach(r -> r.deleted(h, name));
        });
    }

    /**
     * Checks again, in the writing transaction, that the model, version or alias the spec names (resolved before it)
     * is still there, with the model's row locked until the transaction ends, so that a rename or deletion cannot
     * slip in between (the registry locks it too before it asks {@link #checkDeletable}).
     */
    private void requireTarget(Handle h, Spec spec) {
        boolean there = h.createQuery("SELECT name FROM registered_models WHERE name = :m" + db.dialect().rowLock())
                .bind("m", spec.modelName()).mapTo(String.class).findOne().isPresent()
                && (spec.alias() != null
                ? h.createQuery("SELECT 1 FROM registered_model_aliases WHERE name = :m AND alias = :a")
                        .bind("m", spec.modelName()).bind("a", spec.alias()).mapTo(Integer.class).findOne().isPresent()
                : h.createQuery("SELECT 1 FROM model_versions WHERE name = :m AND version = :v")
                        .bind("m", spec.modelName()).bind("v", spec.version().intValue()).mapTo(Integer.class).findOne()
                        .isPresent());
        if (!there) {
            throw LaunchpadException.notFound("Model '" + spec.modelName() + "' "
                    + (spec.alias() != null ? "alias '" + spec.alias() + "'" : "version " + spec.version())
                    + " was deleted or renamed just now; try again.");
        }
    }

    /** The model version the deployment should serve now (following its alias, if it has one). */
    public ModelVersion resolve(Deployment deployment) {
        return resolve(deployment.modelName(), deployment.version(), deployment.alias());
    }

    private ModelVersion resolve(String model, Integer version, String alias) {
        return alias != null ? registry.getByAlias(model, alias)
                : registry.getModelVersion(model, Integer.toString(version));
    }

    private static Optional<Deployment> find(Handle h, String name) {
        return h.createQuery("SELECT * FROM deployments WHERE name = :name").bind("name", name)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    private static Deployment map(ResultSet rs) throws SQLException {
        int version = rs.getInt("model_version");
        Integer pinned = rs.wasNull() ? null : version;
        return new Deployment(rs.getString("name"), rs.getString("model_name"), pinned, rs.getString("model_alias"),
                new BatchingSettings(rs.getInt("max_batch_size"), rs.getLong("max_queue_delay_us"),
                        rs.getInt("max_queue_size")),
                rs.getString("description"), rs.getLong("creation_time"), rs.getLong("last_updated_time"));
    }

    /** Deployment names appear in URLs: letters, digits, '_', '.', '-', at most 63 characters. */
    public static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'name'.");
        }
        if (!NAME.matcher(name).matches()) {
            throw LaunchpadException.invalid("Invalid deployment name '" + name + "': use letters, digits, '_', '.'"
                    + " and '-', starting with a letter or digit, at most 63 characters.");
        }
    }

    private static LaunchpadException notFound(String name) {
        return LaunchpadException.notFound("Deployment '" + name + "' not found.");
    }

    private static LaunchpadException alreadyExists(String name) {
        return LaunchpadException.alreadyExists("Deployment '" + name + "' already exists.");
    }
}
