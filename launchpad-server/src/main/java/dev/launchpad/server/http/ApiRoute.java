package dev.launchpad.server.http;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/** One HTTP endpoint of a Launchpad API: method, full path and handler. */
public record ApiRoute(HandlerType method, String path, Handler handler) {
}
