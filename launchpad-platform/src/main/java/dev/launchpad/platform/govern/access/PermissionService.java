package dev.launchpad.platform.govern.access;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.govern.identity.User;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Per-resource permissions: grants of READ, EDIT, MANAGE or NO_PERMISSIONS to a user on one experiment
 * or registered model, and the effective permission a user has — admins manage everything, a grant
 * decides where there is one (it may raise or lower what the role gives), else the role's default
 * ({@link Permission#defaultFor}). Grants are read from the database on every check, so a change
 * takes effect on the next request.
 */
public final class PermissionService {
    private final Database db;
    private final Clock clock;

    public PermissionService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** What {@code user} may do with the resource. */
    public Permission effective(User user, ResourceType type, String resourceId) {
        if (user.role() == Role.ADMIN) {
            return Permission.MANAGE;
        }
        return find(type, resourceId, user.name()).map(ResourcePermission::permission)
                .orElse(Permission.defaultFor(user.role()));
    }

    public Optional<ResourcePermission> find(ResourceType type, String resourceId, String user) {
        return db.read(h -> h.createQuery("SELECT * FROM resource_permissions WHERE resource_type = :type"
                        + " AND resource_id = :id AND user_name = :user")
                .bind("type", type.name()).bind("id", resourceId).bind("user", user)
                .map((rs, ctx) -> permission(rs)).findOne());
    }

    /** The grant, or RESOURCE_DOES_NOT_EXIST when there is none (MLflow's answer). */
    public ResourcePermission get(ResourceType type, String resourceId, String user) {
        return find(type, resourceId, user).orElseThrow(() -> LaunchpadException.notFound("No " + label(type)
                + " permission of user '" + user + "' on '" + resourceId + "'."));
    }

    /** Grants a permission; RESOURCE_ALREADY_EXISTS when the user already has a grant on the resource. */
    public ResourcePermission create(ResourceType type, String resourceId, String user, Permission permission,
                                     String grantedBy) {
        db.writeVoid(h -> {
            requireUser(h, user);
            if (findIn(h, type, resourceId, user).isPresent()) {
                throw LaunchpadException.alreadyExists("User '" + user + "' already has a " + label(type)
                        + " permission on '" + resourceId + "'; update it instead.");
            }
            insert(h, type, resourceId, user, permission, grantedBy);
        });
        return get(type, resourceId, user);
    }

    /** Changes an existing grant; RESOURCE_DOES_NOT_EXIST when there is none. */
    public ResourcePermission update(ResourceType type, String resourceId, String user, Permission permission,
                                     String grantedBy) {
        db.writeVoid(h -> {
            int changed = h.createUpdate("UPDATE resource_permissions SET permission = :p, granted_by = :by,"
                            + " granted_time = :now WHERE resource_type = :type AND resource_id = :id AND user_name = :user")
                    .bind("p", permission.name()).bind("by", grantedBy).bind("now", clock.millis())
                    .bind("type", type.name()).bind("id", resourceId).bind("user", user).execute();
            if (changed == 0) {
                throw LaunchpadException.notFound("No " + label(type) + " permission of user '" + user + "' on '"
                        + resourceId + "' to update.");
            }
        });
        return get(type, resourceId, user);
    }

    /** Grants or replaces (used when a resource is created: its creator manages it). */
    public void put(ResourceType type, String resourceId, String user, Permission permission, String grantedBy) {
        db.writeVoid(h -> {
            h.createUpdate("DELETE FROM resource_permissions WHERE resource_type = :type AND resource_id = :id"
                            + " AND user_name = :user")
                    .bind("type", type.name()).bind("id", resourceId).bind("user", user).execute();
            insert(h, type, resourceId, user, permission, grantedBy);
        });
    }

    public void delete(ResourceType type, String resourceId, String user) {
        db.writeVoid(h -> {
            int deleted = h.createUpdate("DELETE FROM resource_permissions WHERE resource_type = :type"
                            + " AND resource_id = :id AND user_name = :user")
                    .bind("type", type.name()).bind("id", resourceId).bind("user", user).execute();
            if (deleted == 0) {
                throw LaunchpadException.notFound("No " + label(type) + " permission of user '" + user + "' on '"
                        + resourceId + "' to delete.");
            }
        });
    }

    /** Every grant on a resource, by user name. */
    public List<ResourcePermission> list(ResourceType type, String resourceId) {
        return db.read(h -> h.createQuery("SELECT * FROM resource_permissions WHERE resource_type = :type"
                        + " AND resource_id = :id ORDER BY user_name")
                .bind("type", type.name()).bind("id", resourceId).map((rs, ctx) -> permission(rs)).list());
    }

    /** Every grant a user holds. */
    public List<ResourcePermission> listForUser(String user) {
        return db.read(h -> h.createQuery("SELECT * FROM resource_permissions WHERE user_name = :user"
                        + " ORDER BY resource_type, resource_id")
                .bind("user", user).map((rs, ctx) -> permission(rs)).list());
    }

    /** Moves the grants of a renamed resource (registered models are named by their name). */
    public void rename(ResourceType type, String oldId, String newId) {
        db.writeVoid(h -> h.createUpdate("UPDATE resource_permissions SET resource_id = :new"
                        + " WHERE resource_type = :type AND resource_id = :old")
                .bind("new", newId).bind("type", type.name()).bind("old", oldId).execute());
    }

    /** Drops the grants of a deleted resource, so a new resource of the same name starts clean. */
    public void forget(ResourceType type, String resourceId) {
        db.writeVoid(h -> h.createUpdate("DELETE FROM resource_permissions WHERE resource_type = :type"
                        + " AND resource_id = :id")
                .bind("type", type.name()).bind("id", resourceId).execute());
    }

    private void insert(Handle h, ResourceType type, String resourceId, String user, Permission permission,
                        String grantedBy) {
        h.createUpdate("INSERT INTO resource_permissions (resource_type, resource_id, user_name, permission,"
                        + " granted_by, granted_time) VALUES (:type, :id, :user, :p, :by, :now)")
                .bind("type", type.name()).bind("id", resourceId).bind("user", user).bind("p", permission.name())
                .bind("by", grantedBy).bind("now", clock.millis()).execute();
    }

    private static Optional<ResourcePermission> findIn(Handle h, ResourceType type, String resourceId, String user) {
        return h.createQuery("SELECT * FROM resource_permissions WHERE resource_type = :type"
                        + " AND resource_id = :id AND user_name = :user")
                .bind("type", type.name()).bind("id", resourceId).bind("user", user)
                .map((rs, ctx) -> permission(rs)).findOne();
    }

    private static void requireUser(Handle h, String user) {
        if (user == null || user.isBlank()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'username'.");
        }
        boolean exists = h.createQuery("SELECT COUNT(*) FROM users WHERE name = :name").bind("name", user)
                .mapTo(Long.class).one() > 0;
        if (!exists) {
            throw LaunchpadException.notFound("User '" + user + "' not found.");
        }
    }

    private static String label(ResourceType type) {
        return type == ResourceType.EXPERIMENT ? "experiment" : "registered model";
    }

    private static ResourcePermission permission(ResultSet rs) throws SQLException {
        return new ResourcePermission(ResourceType.valueOf(rs.getString("resource_type")), rs.getString("resource_id"),
                rs.getString("user_name"), Permission.valueOf(rs.getString("permission")), rs.getString("granted_by"),
                rs.getLong("granted_time"));
    }
}
