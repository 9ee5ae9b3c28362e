package dev.launchpad.server.auth;

/**
 * The thing a request acts on, as its route's locator finds it in the request: an experiment, a run,
 * a registered model or one of its versions, a deployment or a user. Permissions are checked on the
 * experiment or registered model behind it; the audit log records its state before a change.
 * {@code version} is set only for model versions.
 */
public record Subject(Kind kind, String id, String version) {
    /**
     * What a subject is; {@code UNOWNED} is an artifact path in no experiment's or model's area, which
     * only admins may touch.
     */
    public enum Kind { EXPERIMENT, RUN, REGISTERED_MODEL, MODEL_VERSION, DEPLOYMENT, USER, UNOWNED }

    public static Subject of(Kind kind, String id) {
        return new Subject(kind, id, null);
    }
}
