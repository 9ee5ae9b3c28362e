package dev.launchpad.server.serving;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@link CompletableFuture#thenApply} that passes a cancellation back to its source. A request that timed out is
 * cancelled through the future its handler holds, several mappings away from the batcher's; the batcher skips
 * only requests whose own future is done, so without this a request the client was already told had timed out
 * would still wait in the queue and then run the model.
 */
public final class CancellableFutures {
    private CancellableFutures() {
    }

    /** {@code source.thenApply(fn)}, cancelling {@code source} when the result is cancelled. */
    public static <A, B> CompletableFuture<B> map(CompletableFuture<A> source, Function<? super A, ? extends B> fn) {
        CompletableFuture<B> mapped = source.thenApply(fn);
        mapped.whenComplete((result, failure) -> {
            if (mapped.isCancelled()) {
                source.cancel(false);
            }
        });
        return mapped;
    }
}
