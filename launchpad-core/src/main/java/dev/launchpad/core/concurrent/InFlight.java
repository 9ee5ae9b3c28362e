package dev.launchpad.core.concurrent;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations under way, counted as they enter and leave, so that a shutdown can wait for the ones that began before
 * it closed the door. Striped counters: every serving thread enters and leaves, and must not queue on one cache line.
 * {@link #tryEnter} reads its owner's "closed" flag after entering; the owner sets the flag before it waits, so an
 * operation that saw the flag clear is counted by the time the owner looks.
 */
public final class InFlight {
    private final LongAdder entered = new LongAdder();
    private final LongAdder left = new LongAdder();

    /**
     * Enters unless {@code closed} says the owner is closing: read first, so that refused callers under steady traffic
     * do not keep the count from ever reading zero, and again once entered, so that a caller the owner's wait cannot
     * see is one that saw the flag set. True when entered; the caller then {@link #leave()}s.
     */
    public boolean tryEnter(java.util.function.BooleanSupplier closed) {
        if (closed.getAsBoolean()) {
            return false;
        }
        entered.increment();
        if (closed.getAsBoolean()) {
            left.increment();
            return false;
        }
        return true;
    }

    public void leave() {
        left.increment();
    }

    /**
     * Waits, at most {@code max}, until every operation that entered has left; true when none is under way. An
     * interrupt does not cut the wait short (a shutdown waits all the same): it is set again on return.
     */
    public boolean awaitNone(Duration max) {
        long started = System.nanoTime();
        // (elapsed time compared, not a deadline: nanoTime may wrap; a wait of centuries is a wait without end)
        long limit = max.isNegative() ? 0 : max.compareTo(Duration.ofDays(365 * 200)) > 0 ? Long.MAX_VALUE : max.toNanos();
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                long done = left.sum(); // first: an operation counted as left was counted as entered before
                if (entered.sum() == done) {
                    return true;
                }
                if (System.nanoTime() - started >= limit) {
                    return false;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
