package dev.launchpad.platform.registry;

import org.jdbi.v3.core.Handle;

/**
 * Something outside the registry that names registered models (deployments do): told, inside the registry's writing
 * transaction, when a model is renamed, and asked before a model, a version or an alias goes, so that what names it
 * neither points at nothing nor stops working at the next restart.
 */
public interface ModelReferences {
    /** Moves every reference to model {@code oldName} over to {@code newName}. */
    void renamed(Handle h, String oldName, String newName);

    /**
     * Throws INVALID_STATE when something still needs what is about to be deleted: the model {@code name} (with
     * {@code version} and {@code alias} null), one version of it, or one alias of it.
     */
    void checkDeletable(Handle h, String name, Integer version, String alias);
}
