package dev.launchpad.server.oip;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The gRPC endpoint (Netty), serving calls on virtual threads. */
public final class GrpcServer implements AutoCloseable {
    private final Server server;
    private final ExecutorService executor;

    private GrpcServer(Server server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving {@code services}, each behind {@code interceptor} when one is given. */
    public static GrpcServer start(String host, int port, int maxMessageBytes, ServerInterceptor interceptor,
                                   BindableService... services) {
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        var builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .executor(executor).maxInboundMessageSize(maxMessageBytes);
        for (var service : services) {
            builder.addService(interceptor == null ? service.bindService()
                    : ServerInterceptors.intercept(service, interceptor));
        }
        try {
            return new GrpcServer(builder.build().start(), executor);
        } catch (IOException e) {
            executor.close();
            throw new UncheckedIOException("Cannot start the gRPC endpoint on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.close();
    }
}
