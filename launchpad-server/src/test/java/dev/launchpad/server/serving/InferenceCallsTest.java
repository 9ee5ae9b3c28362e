package dev.launchpad.server.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** A stop waits for the calls under way, and is not held up by the calls it refuses meanwhile. */
class InferenceCallsTest {
    @Test
    void aStopUnderSteadyTrafficIsNotHeldByTheCallsItRefuses() throws Exception {
        var calls = new InferenceCalls(null, ServingLimits.DEFAULTS); // (no call here reaches a model)
        var running = new AtomicBoolean(true);
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    try {
                        calls.run("d", "rest", System.nanoTime(), (lease, model) -> CompletableFuture.completedFuture(1));
                    } catch (RuntimeException refused) {
                        // 503 once stopping (before: no runtime to call)
                    }
                }
            }));
        }
        try {
            Thread.sleep(50);
            assertThat(calls.stop(Duration.ofSeconds(5))).as("nothing left under way").isTrue();
        } finally {
            running.set(false);
            for (var t : threads) {
                t.join();
            }
        }
    }
}
