package dev.launchpad.platform.registry;

import org.jdbi.v3.core.Handle;

/**
 * Checked by the registry, inside the writing transaction, before an alias is pointed at a version or a
 * version moves to a stage — whichever API asked (MLflow REST, native, CLI). Governance plugs its
 * four-eyes rule in here; {@link #NONE} lets everything through.
 */
public interface PromotionGuard {
    PromotionGuard NONE = new PromotionGuard() {
        @Override
        public void checkAlias(Handle h, String name, String alias, int version) {
        }

        @Override
        public void checkStage(Handle h, String name, int version, Stage stage) {
        }
    };

    /** Throws a typed error when {@code alias} may not point at the version. */
    void checkAlias(Handle h, String name, String alias, int version);

    /** Throws a typed error when the version may not move to {@code stage}. */
    void checkStage(Handle h, String name, int version, Stage stage);
}
