package dev.launchpad.core.concurrent;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operations under way, counted as they enter and leave, so that a shutdown can wait for the ones that began before
 * it closed the door. Striped counters: every serving thread enters and leaves, and must not queue on one cache line.
 * A caller enters before it reads its owner's "closed" flag; the owner sets the flag before it waits, so an
 * operation that saw the flag clear is counted by the time the owner looks. A caller that finds the flag set before
 * entering should not enter at all: under steady traffic, refused callers entering and leaving would keep the count
 * from ever reading zero.
 */
public final class InFlight {
    private final LongAdder entered = new LongAdder();
    private final LongAdder left = new LongAdder();

    public void enter() {
        entered.increment();
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
