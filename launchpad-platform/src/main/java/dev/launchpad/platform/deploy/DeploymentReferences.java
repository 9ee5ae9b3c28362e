package dev.launchpad.platform.deploy;

import org.jdbi.v3.core.Handle;

/**
 * Something that keeps data per deployment (monitoring does): told, inside the transaction that deletes a deployment,
 * to delete its own, so that a deployment created later under the same name starts afresh instead of inheriting it.
 */
public interface DeploymentReferences {
    void deleted(Handle h, String deployment);
}
