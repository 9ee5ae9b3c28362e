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

import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.deploy.Deployment;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.deploy.ModelFiles;
import dev.launchpad.platform.registry.ModelUri;
import dev.launchpad.platform.govern.identity.IdentityService;
import dev.launchpad.platform.govern.identity.IssuedToken;
import dev.launchpad.platform.govern.access.PermissionService;
import dev.launchpad.platform.govern.approval.ApprovalService;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.store.ServerSecrets;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.AuthFilter;
import dev.launchpad.server.auth.Authorizer;
import dev.launchpad.server.auth.PermissionsApi;
import dev.launchpad.server.auth.ResourceResolver;
import dev.launchpad.server.registry.ApprovalsApi;
import dev.launchpad.server.auth.Authenticator;
import dev.launchpad.server.auth.GrpcAuthInterceptor;
import dev.launchpad.server.auth.UsersApi;
import dev.launchpad.server.deploy.DeploymentsApi;
import dev.launchpad.server.oip.GrpcServer;
import dev.launchpad.server.oip.OipGrpcService;
import dev.launchpad.server.oip.OipRestApi;
import dev.launchpad.server.scoring.ScoringApi;
import dev.launchpad.server.serving.InferenceCalls;
import dev.launchpad.server.serving.OnnxServedModel;
import dev.launchpad.server.serving.ServingLimits;
import dev.launchpad.server.serving.ServingMetrics;
import dev.launchpad.server.serving.ServingRuntime;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.time.Duration;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A running Launchpad server, and the one place where its parts are wired together by hand:
 * database, services, APIs, HTTP server. Closing it stops the server and the database pool.
 */
public final class Launchpad implements AutoCloseable {
    private final ServerConfig config;
    private final Database database;
    private final ArtifactStore artifacts;
    private final ServingRuntime serving;
    private final GrpcServer grpc;
    private final HttpServer http;
    /** How often deployments that follow an alias check where it points. */
    static final Duration DEPLOYMENT_POLL = Duration.ofMillis(500);

    private final IssuedToken firstStartToken;
    private List<ApiRoute> routes = List.of();
    private dev.launchpad.server.monitor.Monitoring monitoring;
    private InferenceCalls calls;
    /** How long a shutdown waits for the inference calls under way when the servers stop taking requests. */
    private static final java.time.Duration CALLS_AT_CLOSE = java.time.Duration.ofSeconds(10);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Launchpad.class);
    /** Environment variable that presets the first admin token (instead of a random one) on first start. */
    public static final String ADMIN_TOKEN_VARIABLE = "LAUNCHPAD_ADMIN_TOKEN";

    private Launchpad(ServerConfig config, Database database, ArtifactStore artifacts, ServingRuntime serving,
                      GrpcServer grpc, HttpServer http, IssuedToken firstStartToken) {
        this.firstStartToken = firstStartToken;
        this.config = config;
        this.database = database;
        this.artifacts = artifacts;
        this.serving = serving;
        this.grpc = grpc;
        this.http = http;
    }

    public static Launchpad start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static Launchpad start(ServerConfig config, Clock clock) {
        return start(config, clock, null);
    }

    /**
     * MLflow's single-model mode ({@code launchpad serve}): serves {@code modelUri} (following its alias, if
     * it names one) at {@code /invocations} and over the Open Inference Protocol, with nothing else.
     */
    public static Launchpad serveOne(ServerConfig config, String modelUri) {
        return start(config, Clock.systemUTC(), modelUri);
    }

    private static Launchpad start(ServerConfig config, Clock clock, String singleModel) {
        try {
            Files.createDirectories(config.home());
            if (!config.artifactRoot().contains("://")) {
                Files.createDirectories(java.nio.file.Path.of(config.artifactRoot()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Launchpad home " + config.home(), e);
        }
        var database = Database.open(config.databaseUrl());
        var closeOnFailure = new ArrayList<AutoCloseable>();
        dev.launchpad.server.monitor.Monitoring monitoring = null;
        try {
            var artifacts = ArtifactStores.open(config.artifactRoot(), database);
            closeOnFailure.add(artifacts);
            var experiments = new ExperimentService(database, clock);
            var runs = new RunService(database, clock, experiments);
            // four-eyes needs identities: without authentication no alias is protected
            var approvals = new ApprovalService(database, clock,
                    config.auth() == ServerConfig.Auth.TOKEN ? config.protectedAliases() : List.of());
            var registry = new RegistryService(database, clock, runs, approvals);
            var deployments = new DeploymentService(database, clock, registry);
            var metrics = new ServingMetrics();
            var serving = new ServingRuntime(deployments, new ModelFiles(artifacts, config.home().resolve("model-cache")),
                    OnnxServedModel::load, metrics, DEPLOYMENT_POLL);
            closeOnFailure.add(serving);
            var calls = new InferenceCalls(serving, ServingLimits.DEFAULTS);
            var oip = new OipRestApi(calls, Version.current());
            var scoring = new ScoringApi(calls);

            var identity = new IdentityService(database, clock);
            IssuedToken firstToken = null;
            if (config.auth() == ServerConfig.Auth.TOKEN) {
                firstToken = identity.bootstrapAdmin(System.getenv(ADMIN_TOKEN_VARIABLE)).orElse(null);
            }
            var authenticator = new Authenticator(identity);
            boolean authOn = config.auth() == ServerConfig.Auth.TOKEN;
            var permissions = new PermissionService(database, clock);
            var authorizer = new Authorizer(permissions, authOn);
            var resolver = new ResourceResolver(experiments, runs, registry, deployments, identity);
            var authFilter = new AuthFilter(authenticator, permissions, resolver, authOn);

            var routes = new ArrayList<ApiRoute>();
            routes.add(new ApiRoute(HandlerType.BEFORE_MATCHED, "*", authFilter::handle));
            routes.addAll(new UsersApi(identity).routes());
            var audit = new dev.launchpad.platform.govern.audit.AuditLog(database, clock);
            var auditRecorder = new dev.launchpad.server.audit.AuditRecorder(audit);
            routes.add(auditRecorder.route()); // records every mutation, after it is handled
            routes.addAll(oip.routes());
            routes.add(new ApiRoute(HandlerType.GET, "/metrics", ctx -> ctx
                    .contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()),
                    Access.role(Role.VIEWER)));
            if (singleModel == null) {
                routes.addAll(new MlflowTrackingApi(experiments, runs, authorizer).routes());
                routes.addAll(new MlflowArtifactsApi(artifacts, runs, registry,
                        new ServerSecrets(database, clock).key("artifact-part-urls"), clock, authOn).routes());
                routes.addAll(new MlflowRegistryApi(registry, authorizer, approvals, runs).routes());
                routes.addAll(new PermissionsApi(authorizer, experiments, registry).routes());
                routes.addAll(new ModelsApi(registry, new ModelCardService(database, clock, registry, runs)).routes());
                routes.addAll(new ApprovalsApi(approvals, authorizer).routes());
                routes.addAll(new DeploymentsApi(deployments, serving, authorizer, approvals).routes());
                routes.addAll(scoring.deploymentRoutes());
                routes.addAll(new OpsApi(database).routes());
                routes.addAll(new dev.launchpad.server.audit.AuditApi(audit, auditRecorder).routes());
                routes.addAll(new dev.launchpad.server.govern.LineageApi(
                        new dev.launchpad.platform.govern.lineage.LineageService(database, registry), Version.current(),
                        authorizer)
                        .routes());
                // production monitoring: prediction logging, monitors, alerts (issue 6)
                monitoring = dev.launchpad.server.monitor.Monitoring.start(database, clock, deployments, registry,
                        metrics.registry(), config.home(), calls);
                closeOnFailure.add(monitoring);
                routes.addAll(monitoring.routes());
                serving.start();
            } else {
                var version = registry.resolve(singleModel);
                var uri = ModelUri.parse(singleModel);
                var alias = uri instanceof ModelUri.ByAlias a ? a.alias() : null;
                var deployment = new Deployment(version.name(), version.name(), alias == null ? version.version() : null,
                        alias, BatchingSettings.DEFAULTS, "launchpad serve " + singleModel, clock.millis(), clock.millis());
                serving.deployStandalone(deployment);
                serving.startFollowing(); // the one model only, not the deployments stored in the same home
                routes.addAll(scoring.singleModelRoutes(version.name(), Version.current()));
            }
            GrpcServer grpc = null;
            if (config.grpcPort() >= 0) {
                grpc = GrpcServer.start(config.host(), config.grpcPort(), (int) ServingLimits.DEFAULTS.maxRequestBytes(),
                        authFilter.enabled() ? new GrpcAuthInterceptor(authenticator) : null, new OipGrpcService(calls, oip,
                                GrpcAuthInterceptor.deploymentReadCheck(resolver, permissions)));
                closeOnFailure.add(grpc);
            }
            authFilter.declare(routes);
            var http = HttpServer.start(config.host(), config.port(), routes);
            var launchpad = new Launchpad(config, database, artifacts, serving, grpc, http, firstToken);
            launchpad.routes = List.copyOf(routes);
            launchpad.monitoring = monitoring;
            launchpad.calls = calls;
            return launchpad;
        } catch (RuntimeException e) {
            for (var resource : closeOnFailure.reversed()) {
                try {
                    resource.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
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

    /** How this server was started. */
    public ServerConfig config() {
        return config;
    }

    public Database database() {
        return database;
    }

    /** The artifact store behind the artifact proxy. */
    public ArtifactStore artifacts() {
        return artifacts;
    }

    /**
     * The admin token created on this start, when it was the first start with authentication on (the
     * database had no users); shown once by the CLI and never stored in clear.
     */
    public java.util.Optional<IssuedToken> firstStartToken() {
        return java.util.Optional.ofNullable(firstStartToken);
    }

    /** Every HTTP route this server serves (for the route-coverage checks of authentication). */
    public List<ApiRoute> routes() {
        return routes;
    }

    /** The gRPC port actually bound, or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    /** Production monitoring, or null in single-model mode. */
    public dev.launchpad.server.monitor.Monitoring monitoring() {
        return monitoring;
    }

    /** The deployments served in this process. */
    public ServingRuntime serving() {
        return serving;
    }

    @Override
    public void close() {
        // an interrupt is kept for after: the waits below (calls, the monitoring threads' last flush) must not be cut
        boolean interrupted = Thread.interrupted();
        try {
            try {
                try {
                    http.close();
                } finally {
                    if (grpc != null) {
                        grpc.close();
                    }
                }
            } finally {
                // the servers' stop does not wait for every handler: calls begun finish (and are logged) before
                // monitoring closes, and any a handler begins after this is refused unserved
                if (calls != null && !calls.stop(CALLS_AT_CLOSE)) {
                    LOG.warn("Closing with inference calls still under way after {}", CALLS_AT_CLOSE);
                }
                interrupted |= Thread.interrupted();
            }
        } finally {
            try {
                if (monitoring != null) {
                    monitoring.close(); // flushes every open window before the database closes
                }
                serving.close();
                artifacts.close();
            } finally {
                database.close();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
