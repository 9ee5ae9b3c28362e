package dev.launchpad.server;

import dev.launchpad.platform.artifact.ArtifactStore;
import dev.launchpad.platform.artifact.ArtifactStores;
import dev.launchpad.platform.registry.ModelCardService;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.server.mlflow.MlflowArtifactsApi;
import dev.launchpad.server.mlflow.MlflowRegistryApi;
import dev.launchpad.server.mlflow.MlflowTrackingApi;
import dev.launchpad.server.ops.OpsApi;
import dev.launchpad.server.registry.ModelsApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;

/**
 * A running Launchpad server, and the one place where its parts are wired together by hand:
 * database, services, APIs, HTTP server. Closing it stops the server and the database pool.
 */
public final class Launchpad implements AutoCloseable {
    private final ServerConfig config;
    private final Database database;
    private final ArtifactStore artifacts;
    private final HttpServer http;

    private Launchpad(ServerConfig config, Database database, ArtifactStore artifacts, HttpServer http) {
        this.config = config;
        this.database = database;
        this.artifacts = artifacts;
        this.http = http;
    }

    public static Launchpad start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static Launchpad start(ServerConfig config, Clock clock) {
        try {
            Files.createDirectories(config.home());
            if (!config.artifactRoot().contains("://")) {
                Files.createDirectories(java.nio.file.Path.of(config.artifactRoot()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Launchpad home " + config.home(), e);
        }
        var database = Database.open(config.databaseUrl());
        ArtifactStore artifacts = null;
        try {
            artifacts = ArtifactStores.open(config.artifactRoot(), database);
            var experiments = new ExperimentService(database, clock);
            var runs = new RunService(database, clock, experiments);
            var routes = new ArrayList<ApiRoute>();
            routes.addAll(new MlflowTrackingApi(experiments, runs).routes());
            routes.addAll(new MlflowArtifactsApi(artifacts, runs).routes());
            var registry = new RegistryService(database, clock, runs);
            routes.addAll(new MlflowRegistryApi(registry).routes());
            routes.addAll(new ModelsApi(registry, new ModelCardService(database, clock, registry, runs)).routes());
            routes.addAll(new OpsApi(database).routes());
            var http = HttpServer.start(config.host(), config.port(), routes);
            return new Launchpad(config, database, artifacts, http);
        } catch (RuntimeException e) {
            if (artifacts != null) {
                artifacts.close();
            }
            database.close();
            throw e;
        }
    }

    /** The port actually bound (useful when started on port 0). */
    public int port() {
        return http.port();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        var host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    public Database database() {
        return database;
    }

    /** The artifact store behind the artifact proxy. */
    public ArtifactStore artifacts() {
        return artifacts;
    }

    @Override
    public void close() {
        try {
            http.close();
        } finally {
            try {
                artifacts.close();
            } finally {
                database.close();
            }
        }
    }
}
