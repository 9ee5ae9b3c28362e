package dev.launchpad.server.http;

import dev.launchpad.server.auth.Access;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One HTTP endpoint of a Launchpad API: method, full path, handler and who may call it. Every endpoint
 * declares its {@link Access}; one without (null) is refused by the authentication filter, and a test
 * fails. Filters (before/after handlers) declare none.
 */
public record ApiRoute(HandlerType method, String path, Handler handler, Access access) {
    /** A filter, or an endpoint that has not declared its access yet. */
    public ApiRoute(HandlerType method, String path, Handler handler) {
        this(method, path, handler, null);
    }
}
