package dev.launchpad.core.concurrent;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A shutdown waits for the operations under way, and only for them. */
class InFlightTest {
    @Test
    void waitsUntilEveryOperationThatEnteredHasLeft() throws Exception {
        var inFlight = new InFlight();
        assertThat(inFlight.awaitNone(Duration.ZERO)).isTrue();
        assertThat(inFlight.tryEnter(() -> false)).isTrue();
        assertThat(inFlight.tryEnter(() -> false)).isTrue();
        inFlight.leave();
        assertThat(inFlight.awaitNone(Duration.ofMillis(20))).as("one still under way").isFalse();
        var last = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.leave();
        });
        // (a wait without a useful end: no overflow)
        assertThat(inFlight.awaitNone(java.time.temporal.ChronoUnit.FOREVER.getDuration())).isTrue();
        last.join();
    }

    @Test
    void anInterruptDoesNotCutTheWaitShortAndIsKept() throws Exception {
        var inFlight = new InFlight();
        assertThat(inFlight.tryEnter(() -> false)).isTrue();
        var leaver = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.leave();
        });
        Thread.currentThread().interrupt();
        boolean none = inFlight.awaitNone(Duration.ofSeconds(10));
        boolean stillInterrupted = Thread.interrupted(); // (and cleared for the next test)
        assertThat(none).isTrue();
        assertThat(stillInterrupted).isTrue();
        leaver.join();
    }

    @Test
    void aCallerThatFindsTheOwnerClosingIsNotCountedEitherWay() {
        var inFlight = new InFlight();
        assertThat(inFlight.tryEnter(() -> true)).as("closed before").isFalse();
        var reads = new java.util.concurrent.atomic.AtomicInteger();
        assertThat(inFlight.tryEnter(() -> reads.getAndIncrement() > 0)).as("closed while it entered").isFalse();
        assertThat(inFlight.awaitNone(Duration.ZERO)).as("neither left anything counted").isTrue();
    }
}
