package dev.launchpad.server.serving;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A request given up at the handler is given up at the batcher too. */
class CancellableFuturesTest {
    @Test
    void cancellingTheMappedFutureCancelsItsSourceThroughEveryMapping() {
        var batcher = new CompletableFuture<Integer>();
        var handler = CancellableFutures.map(CancellableFutures.map(batcher, x -> x + 1), x -> "answer " + x);
        handler.cancel(false); // what a timeout does
        assertThat(batcher).isCancelled();

        // a plain thenApply does not: the source stays pending (why the mapping exists)
        var source = new CompletableFuture<Integer>();
        source.thenApply(x -> x + 1).cancel(false);
        assertThat(source).isNotDone();

        // completing normally, or failing, leaves the source as it is
        var ok = new CompletableFuture<Integer>();
        var mapped = CancellableFutures.map(ok, x -> x * 2);
        ok.complete(21);
        assertThat(mapped).isCompletedWithValue(42);
        var failing = new CompletableFuture<Integer>();
        var failed = CancellableFutures.map(failing, x -> x);
        failing.completeExceptionally(new IllegalStateException("model failed"));
        assertThat(failed).isCompletedExceptionally();
        assertThat(failing.isCancelled()).isFalse();
    }
}
