package dev.launchpad.server.auth;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.Set;

/**
 * Authenticates gRPC calls from their {@code authorization} metadata (Bearer token or Basic), as the
 * HTTP filter does; every inference call needs a viewer. ServerLive and ServerReady stay open for probes.
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
        boolean authenticated;
        try {
            authenticated = authenticator.authenticate(headers.get(AUTHORIZATION)).isPresent();
        } catch (dev.launchpad.core.error.LaunchpadException e) {
            // too many wrong passwords, or too many sign-ins at once
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (!authenticated) {
            call.close(Status.UNAUTHENTICATED.withDescription("Send 'authorization: Bearer <token>' metadata"
                    + " with a valid Launchpad token."), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
