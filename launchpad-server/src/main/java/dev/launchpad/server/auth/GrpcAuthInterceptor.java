package dev.launchpad.server.auth;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.PermissionService;
import dev.launchpad.platform.govern.identity.User;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Authenticates gRPC calls from their {@code authorization} metadata (Bearer token or Basic), as the
 * HTTP filter does; every inference call needs READ on the deployment's registered model. ServerLive and ServerReady stay open for probes.
 */
public final class GrpcAuthInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> PUBLIC = Set.of("inference.GRPCInferenceService/ServerLive",
            "inference.GRPCInferenceService/ServerReady");

    private final Authenticator authenticator;

    public GrpcAuthInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (PUBLIC.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        Optional<User> user;
        try {
            user = authenticator.authenticate(headers.get(AUTHORIZATION));
        } catch (LaunchpadException e) {
            // too many wrong passwords, or too many sign-ins at once
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (user.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription("Send 'authorization: Bearer <token>' metadata"
                    + " with a valid Launchpad token."), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        var context = Context.current().withValue(USER, user.get());
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The authenticated user of the current gRPC call (null with authentication off). */
    public static final Context.Key<User> USER = Context.key("launchpad.user");

    /**
     * The check the gRPC service runs before a model call: READ on the deployment's registered model,
     * as the REST routes require.
     */
    public static Consumer<String> deploymentReadCheck(ResourceResolver resolver, PermissionService permissions) {
        return deployment -> {
            var user = USER.get();
            if (user == null) {
                return;
            }
            var target = resolver.target(Subject.of(Subject.Kind.DEPLOYMENT, deployment));
            if (target.isPresent()) {
                var has = permissions.effective(user, target.get().type(), target.get().id());
                if (!has.includes(Permission.READ)) {
                    throw Authorizer.denied(user, target.get().type(), target.get().id(), has, Permission.READ);
                }
            }
        };
    }
}
