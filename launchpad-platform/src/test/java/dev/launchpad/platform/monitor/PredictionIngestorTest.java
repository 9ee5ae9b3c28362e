package dev.launchpad.platform.monitor;

import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.stats.profile.ColumnProfile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prediction logging into stored windows: minutes roll up into hours and days, a clean restart in the
 * middle of a minute neither loses nor double-counts anything, and a crash loses only what was not flushed.
 */
class PredictionIngestorTest {
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:10Z");
    private static final long M0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
    private static final long M1 = M0 + 60_000;

    private static Observation request(MutableClock clock, Random random, String id, int rows) {
        double[] x = new double[rows];
        String[] c = new String[rows];
        String[] label = new String[rows];
        for (int i = 0; i < rows; i++) {
            x[i] = random.nextGaussian();
            c[i] = random.nextBoolean() ? "a" : "b";
            label[i] = x[i] > 0 ? "1" : "0";
        }
        var in = new FeatureBatch(rows, List.of(FeatureBatch.Feature.numeric("x", x), FeatureBatch.Feature.categorical("c", c)));
        var out = new FeatureBatch(rows, List.of(FeatureBatch.Feature.categorical("label", label)));
        return observation(clock, "fraud", id, in, out);
    }

    private static Observation observation(MutableClock clock, String deployment, String id, FeatureBatch in,
                                           FeatureBatch out) {
        int rows = in.rows();
        return new Observation(deployment, 3, id, clock.millis(), 2_000_000, "ok", new Observation.Payload() {
            @Override
            public FeatureBatch inputs() {
                return in;
            }

            @Override
            public FeatureBatch outputs() {
                return out;
            }

            @Override
            public long values() {
                return 3L * rows;
            }
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aCleanRestartLosesAndDoubleCountsNothingAndACrashOnlyTheUnflushedPart(TestDatabases.Backend backend)
            throws Exception {
        var clock = new MutableClock(T0);
        var random = new Random(1);
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var first = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
            for (int i = 0; i < 30; i++) {
                assertThat(first.observe(request(clock, random, "a" + i, 10))).isTrue();
            }
            first.observe(new Observation("fraud", 3, null, clock.millis(), 1_000_000, "client_error", null));
            first.close(); // clean shutdown in the middle of minute M0

            var second = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
            for (int i = 0; i < 20; i++) {
                second.observe(request(clock, random, "b" + i, 10));
            }
            clock.advanceSeconds(60); // minute M1
            for (int i = 0; i < 5; i++) {
                second.observe(request(clock, random, "c" + i, 10));
            }
            second.close();

            var m0 = store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data();
            assertThat(m0.requests()).isEqualTo(51);
            assertThat(m0.rows()).isEqualTo(500);
            assertThat(m0.clientErrors()).isEqualTo(1);
            assertThat(m0.inputs().column("x").count()).isEqualTo(500);
            assertThat(m0.inputs().rowCount()).isEqualTo(500);
            assertThat(m0.inputSample().seen()).isEqualTo(500);
            assertThat(m0.inputSample().size()).isEqualTo(500);
            assertThat(m0.latencyMs().n()).as("not the client error's").isEqualTo(50);
            var m1 = store.get("fraud", 3, Granularity.MINUTE, M1).orElseThrow().data();
            assertThat(m1.rows()).isEqualTo(50);
            var hour = store.get("fraud", 3, Granularity.HOUR, Granularity.HOUR.floor(M0)).orElseThrow().data();
            var day = store.get("fraud", 3, Granularity.DAY, Granularity.DAY.floor(M0)).orElseThrow().data();
            assertThat(hour.rows()).isEqualTo(550);
            assertThat(day.rows()).isEqualTo(550);
            assertThat(day.inputs().column("c").count()).isEqualTo(550);
            assertThat(day.outputs().column("label").count()).isEqualTo(550);
            assertThat(store.summarize("fraud", 3, M0, M1 + 60_000).orElseThrow().rows()).isEqualTo(550);

            // a crash: what was flushed stays, what was only observed is lost, nothing is counted twice
            var third = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
            for (int i = 0; i < 7; i++) {
                third.observe(request(clock, random, "d" + i, 10));
            }
            third.flushNow();
            for (int i = 0; i < 3; i++) {
                third.observe(request(clock, random, "e" + i, 10));
            }
            third.halt();
            assertThat(store.get("fraud", 3, Granularity.MINUTE, M1).orElseThrow().data().rows()).isEqualTo(120);
            assertThat(store.get("fraud", 3, Granularity.DAY, Granularity.DAY.floor(M0)).orElseThrow().data().rows())
                    .isEqualTo(620);
            long predictions = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_predictions").mapTo(Long.class).one());
            assertThat(predictions).isEqualTo(620);

            // the periodic cut bounds what a crash loses: what was cut before it is stored without any flushNow
            var fourth = new PredictionIngestor(store, clock,
                    PredictionIngestor.Config.defaults().withFlushInterval(Duration.ofMillis(100)));
            for (int i = 0; i < 4; i++) {
                fourth.observe(request(clock, random, "f" + i, 10));
            }
            // (the four may be cut in more than one part: every one of them stored, in the end)
            awaitUntil(() -> store.get("fraud", 3, Granularity.MINUTE, M1).orElseThrow().data().rows() == 160);
            fourth.halt();
            assertThat(store.get("fraud", 3, Granularity.MINUTE, M1).orElseThrow().data().rows()).isEqualTo(160);
        }
    }

    @Test
    void payloadsPastTheMemoryBudgetAreCountedButNotProfiled() {
        var clock = new MutableClock(T0);
        var random = new Random(3);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock,
                    PredictionIngestor.Config.defaults().withMaxQueuedValues(100))) {
                assertThat(ingestor.observe(request(clock, random, "small", 10))).isTrue(); // 30 values
                assertThat(ingestor.observe(request(clock, random, "huge", 1000))).isTrue(); // 3 000 values
                ingestor.flushNow();
                var m0 = store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data();
                assertThat(m0.requests()).isEqualTo(2);
                assertThat(m0.rows()).isEqualTo(10);
                assertThat(ingestor.stats().unprofiled()).isEqualTo(1);
                // the budget is given back as payloads are profiled
                assertThat(ingestor.observe(request(clock, random, "again", 10))).isTrue();
                ingestor.flushNow();
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data().rows()).isEqualTo(20);
                assertThat(ingestor.stats().unprofiled()).isEqualTo(1);
                assertThat(ingestor.stats().queuedValues()).isZero(); // every profiled payload gave its share back
            }
        }
    }

    @Test
    void aCloseByAnInterruptedThreadStillStoresEverythingAndKeepsTheInterrupt() {
        var clock = new MutableClock(T0);
        var random = new Random(5);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
            for (int i = 0; i < 6; i++) {
                ingestor.observe(request(clock, random, "i" + i, 10));
            }
            Thread.currentThread().interrupt();
            ingestor.close();
            boolean interrupted = Thread.interrupted(); // (and cleared for what follows)
            assertThat(interrupted).isTrue();
            assertThat(store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data().rows()).isEqualTo(60);
        }
    }

    @Test
    void aFullQueueDropsAndCountsAndEveryAcceptedRequestIsStored() throws Exception {
        var clock = new MutableClock(T0);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var small = new PredictionIngestor.Config(8, Duration.ofMinutes(1), 100, 1_000, null, Duration.ofMinutes(1),
                    1_000_000, 1L << 30);
            try (var ingestor = new PredictionIngestor(store, clock, small)) {
                // four threads offer far faster than one thread that takes the queue and naps between batches
                int perThread = 20_000;
                var threads = new ArrayList<Thread>();
                for (int t = 0; t < 4; t++) {
                    var random = new Random(t);
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < perThread; i++) {
                            ingestor.observe(request(clock, random, null, 1));
                        }
                    }));
                }
                for (var t : threads) {
                    t.join();
                }
                var stats = ingestor.stats();
                assertThat(stats.accepted() + stats.dropped()).isEqualTo(4L * perThread);
                assertThat(stats.dropped()).isPositive();
                assertThat(stats.queueDepth()).isLessThanOrEqualTo(8);
                ingestor.flushNow();
                var m0 = store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data();
                assertThat(m0.requests()).isEqualTo(stats.accepted());
                assertThat(m0.inputs().rowCount()).isEqualTo(stats.accepted());
                assertThat(ingestor.stats().queueDepth()).isZero();
            }
        }
    }

    @Test
    void predictionRowsAreCappedPerMinuteHoweverManyPartsItIsWrittenIn() {
        var clock = new MutableClock(T0);
        var random = new Random(5);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var capped = new PredictionIngestor.Config(1_000, Duration.ofMinutes(1), 100, 10, null, Duration.ofMinutes(1),
                    1_000_000, 1L << 30);
            try (var ingestor = new PredictionIngestor(store, clock, capped)) {
                for (int part = 0; part < 2; part++) {
                    for (int i = 0; i < 6; i++) {
                        ingestor.observe(request(clock, random, "m0-" + part + "-" + i, 1));
                    }
                    ingestor.flushNow(); // a second part of the same minute (as before every check run)
                }
                var late = request(clock, random, "late", 1); // answered in minute 0, profiled after it ended
                clock.advanceSeconds(60);
                for (int i = 0; i < 3; i++) {
                    ingestor.observe(request(clock, random, "m1-" + i, 1));
                }
                ingestor.flushNow();
                ingestor.observe(late);
                ingestor.flushNow();
                long stored = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_predictions").mapTo(Long.class).one());
                assertThat(stored).isEqualTo(10 + 3);
                assertThat(ingestor.stats().droppedPredictions()).isEqualTo(3);
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data().requests()).isEqualTo(13);
            }
        }
    }

    @Test
    void aPartThatCannotBeStoredIsGivenUpAfterTheRetryPeriodAndHoldsNothingBack() {
        var clock = new MutableClock(T0);
        var random = new Random(2);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock,
                    PredictionIngestor.Config.defaults().withRetryFor(Duration.ofMillis(300)))) {
                db.writeVoid(h -> h.execute("ALTER TABLE monitor_windows RENAME TO monitor_windows_away"));
                ingestor.observe(request(clock, random, "lost", 10));
                ingestor.flushNow(); // returns once the part is given up
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(1);
                assertThat(ingestor.stats().flushFailures()).isPositive();
                db.writeVoid(h -> h.execute("ALTER TABLE monitor_windows_away RENAME TO monitor_windows"));
                ingestor.observe(request(clock, random, "kept", 10));
                ingestor.flushNow();
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data().rows()).isEqualTo(10);
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aPartThatCannotJoinItsStoredWindowAsItCameIsStoredWithoutWhatDoesNotFit(TestDatabases.Backend backend) {
        var clock = new MutableClock(T0);
        var random = new Random(4);
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults())) {
                ingestor.observe(request(clock, random, "first", 10)); // x numeric
                ingestor.flushNow();
                // the next part of the same minute: x categorical where the stored minute, hour and day have it numeric,
                // a feature whose name no stored profile can hold, and a request id PostgreSQL cannot store; another
                // deployment's part waits behind it
                var x = new String[4];
                java.util.Arrays.fill(x, "yes");
                var in = new FeatureBatch(4, List.of(FeatureBatch.Feature.categorical("x", x),
                        FeatureBatch.Feature.numeric("€".repeat(22_000), new double[] {1, 2, 3, 4})));
                var out = new FeatureBatch(4, List.of(FeatureBatch.Feature.categorical("label", new String[] {"1", "0", "1", "0"})));
                ingestor.observe(observation(clock, "fraud", "nul\0id", in, out));
                ingestor.observe(observation(clock, "other", "o1", in, out));
                ingestor.flushNow();

                assertThat(ingestor.stats().flushFailures()).isZero();
                assertThat(ingestor.stats().abandonedParts()).isZero();
                for (var g : Granularity.values()) {
                    var w = store.get("fraud", 3, g, g.floor(M0)).orElseThrow().data();
                    assertThat(w.rows()).as(g.id()).isEqualTo(10 + 4);
                    assertThat(w.inputs().column("x").kind()).as(g.id()).isEqualTo(ColumnProfile.Kind.NUMERIC);
                    assertThat(w.inputs().column("x").count()).as(g.id()).isEqualTo(10);
                    assertThat(w.inputs().columns()).as(g.id()).containsOnlyKeys("x", "c");
                    assertThat(w.schemaMismatches()).as(g.id()).isEqualTo(4 + 4); // x, and the long name
                }
                var other = store.get("other", 3, Granularity.MINUTE, M0).orElseThrow().data();
                assertThat(other.inputs().column("x").kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
                List<String> ids = db.read(h -> h.createQuery("SELECT DISTINCT request_id FROM monitor_predictions"
                        + " WHERE deployment = 'fraud' ORDER BY request_id").mapTo(String.class).list());
                assertThat(ids).containsExactly("first");
                assertThat(ingestor.stats().droppedPredictions()).isEqualTo(4);
            }
        }
    }

    @Test
    void whileTheDatabaseIsDownTheOldestWaitingPartsAreGivenUpPastTheMemoryBound() throws Exception {
        var clock = new MutableClock(T0);
        var random = new Random(9);
        long bound = 150_000;
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock,
                    PredictionIngestor.Config.defaults().withMaxWaitingBytes(bound))) {
                db.writeVoid(h -> h.execute("ALTER TABLE monitor_windows RENAME TO monitor_windows_away"));
                ingestor.observe(request(clock, random, "m0", 10));
                // each minute that ends is cut (the clock is read between batches): minute 0 is the part the flusher
                // keeps retrying, 1 waits behind it, and cutting 2 and then 3 gives up the oldest waiting
                clock.advanceSeconds(60);
                awaitUntil(() -> ingestor.stats().flushFailures() > 0);
                long part = ingestor.stats().waitingBytes();
                assertThat(part).as("one part fits the bound, two do not").isBetween(bound / 2 + 1, bound);
                ingestor.observe(request(clock, random, "m1", 10));
                clock.advanceSeconds(60);
                awaitUntil(() -> ingestor.stats().waitingBytes() > bound);
                for (int given = 1; given <= 2; given++) {
                    ingestor.observe(request(clock, random, "m" + (given + 1), 10));
                    clock.advanceSeconds(60);
                    final int expected = given;
                    awaitUntil(() -> ingestor.stats().abandonedParts() == expected);
                }
                ingestor.observe(request(clock, random, "m4", 10)); // open, cut by the flush below
                assertThat(ingestor.stats().waitingBytes()).isBetween(bound + 1, 3 * bound); // minutes 0 and 3
                db.writeVoid(h -> h.execute("ALTER TABLE monitor_windows_away RENAME TO monitor_windows"));
                awaitUntil(() -> ingestor.stats().flushedParts() == 2); // the flusher's next retry, and what waited
                ingestor.flushNow();
                for (int minute = 0; minute <= 4; minute++) {
                    boolean kept = minute == 0 || minute >= 3;
                    assertThat(store.get("fraud", 3, Granularity.MINUTE, M0 + minute * 60_000L).isPresent())
                            .as("minute " + minute).isEqualTo(kept);
                }
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(2);
                assertThat(ingestor.stats().waitingBytes()).isZero();
            }
        }
    }

    @Test
    void aWriteThatHangsWithoutFailingAlsoShedsTheOldestWaitingParts() throws Exception {
        var clock = new MutableClock(T0);
        var random = new Random(12);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            // a write that never ends (a hung connection, a lock never released): SQLite's writer lock held elsewhere
            var release = new java.util.concurrent.CountDownLatch(1);
            var held = new java.util.concurrent.CountDownLatch(1);
            var holder = Thread.ofPlatform().start(() -> db.writeVoid(h -> {
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            try (var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults()
                    .withMaxWaitingBytes(1).withRetryFor(Duration.ofMillis(200)))) {
                for (int minute = 0; minute < 4; minute++) {
                    ingestor.observe(request(clock, random, "m" + minute, 3));
                    clock.advanceSeconds(60);
                    final int cut = minute;
                    awaitUntil(() -> ingestor.stats().waitingBytes() > 0 && (cut < 2
                            || ingestor.stats().abandonedParts() >= cut - 1));
                    if (cut == 0) { // minute 0's write, past the time a write may take
                        awaitUntil(() -> ingestor.storingNanos() > Duration.ofMillis(300).toNanos());
                    }
                }
                assertThat(ingestor.stats().flushFailures()).as("it never failed").isZero();
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(2); // minutes 1 and 2; 0 is being written
                release.countDown();
                holder.join();
                ingestor.flushNow();
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0)).isPresent();
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0 + 3 * 60_000L)).isPresent();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aHealthyDatabaseLosesNothingToTheBoundWhenManyPartsAreCutAtOnce() {
        var clock = new MutableClock(T0);
        var random = new Random(10);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            // every part is over the bound, and every deployment's part of the minute is cut in one pass
            try (var ingestor = new PredictionIngestor(store, clock,
                    PredictionIngestor.Config.defaults().withMaxWaitingBytes(1))) {
                for (int d = 0; d < 8; d++) {
                    ingestor.observe(observation(clock, "d" + d, "r" + d, request(clock, random, "x", 5).payload().inputs(),
                            request(clock, random, "y", 5).payload().outputs()));
                }
                ingestor.flushNow();
                assertThat(ingestor.stats().abandonedParts()).isZero();
                for (int d = 0; d < 8; d++) {
                    assertThat(store.get("d" + d, 3, Granularity.MINUTE, M0)).as("d" + d).isPresent();
                }
                assertThat(ingestor.stats().waitingBytes()).isZero();
            }
        }
    }

    @Test
    void aPartIsStoredWholeOrNotAtAllInEveryGranularity() {
        var clock = new MutableClock(T0);
        var random = new Random(11);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults())) {
                ingestor.observe(request(clock, random, "first", 4));
                ingestor.flushNow();
                // only the day row is unreadable: the part merges into the minute and the hour before it fails there
                db.writeVoid(h -> h.execute("UPDATE monitor_windows SET input_profile = X'00010203' WHERE granularity = 'day'"));
                ingestor.observe(request(clock, random, "second", 6));
                ingestor.flushNow();
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(1);
                // rolled back whole: the minute and the hour hold the first part only, and no prediction row of it
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data().rows()).isEqualTo(4);
                assertThat(store.get("fraud", 3, Granularity.HOUR, Granularity.HOUR.floor(M0)).orElseThrow().data().rows())
                        .isEqualTo(4);
                long second = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_predictions WHERE request_id = 'second'")
                        .mapTo(Long.class).one());
                assertThat(second).isZero();
            }
        }
    }

    @Test
    void requestsRacingTheCloseAreStoredOrCountedAsDropped() throws Exception {
        var clock = new MutableClock(T0);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            for (int round = 0; round < 10; round++) {
                var deployment = "race" + round;
                var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
                var refused = new java.util.concurrent.atomic.AtomicLong();
                var threads = new ArrayList<Thread>();
                for (int t = 0; t < 3; t++) {
                    var random = new Random(round * 10L + t);
                    threads.add(Thread.ofPlatform().start(() -> {
                        while (true) {
                            var r = request(clock, random, null, 1);
                            if (!ingestor.observe(observation(clock, deployment, null, r.payload().inputs(),
                                    r.payload().outputs()))) {
                                refused.incrementAndGet(); // closed (the queue is far from full)
                                return;
                            }
                        }
                    }));
                }
                Thread.sleep(20);
                ingestor.close();
                for (var t : threads) {
                    t.join();
                }
                var stats = ingestor.stats();
                long late = stats.dropped() - refused.get(); // accepted, then left behind by the close
                long stored = store.get(deployment, 3, Granularity.MINUTE, M0).map(w -> w.data().requests()).orElse(0L);
                assertThat(stored + late).as("round " + round).isEqualTo(stats.accepted());
            }
        }
    }

    @Test
    void aProfiledRequestIsNotHeldThroughTheNapAfterIt() throws Exception {
        // a request waiting for the monitoring thread outlives young collections, which copy its tensors; once
        // profiled, nothing may keep it (the drained batch did, through the 50 ms nap that followed)
        var clock = new MutableClock(T0);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var ingestor = new PredictionIngestor(new WindowStore(db), clock, PredictionIngestor.Config.defaults());
            try {
                var profiled = new java.util.concurrent.CountDownLatch(1);
                var payload = observeOne(ingestor, clock, profiled);
                assertThat(profiled.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                awaitUntil(ingestor::napping); // the nap right after it: nothing else is queued
                System.gc();
                assertThat(payload.get()).as("the payload of a request profiled before the nap").isNull();
            } finally {
                ingestor.close();
            }
        }
    }

    /** Offers one request whose payload counts {@code profiled} down once the monitoring thread has read it. */
    private static java.lang.ref.WeakReference<Object> observeOne(PredictionIngestor ingestor, MutableClock clock,
                                                                  java.util.concurrent.CountDownLatch profiled) {
        var in = new FeatureBatch(2, List.of(FeatureBatch.Feature.numeric("x", new double[] {1, 2})));
        var out = new FeatureBatch(2, List.of(FeatureBatch.Feature.categorical("label", new String[] {"0", "1"})));
        var payload = new Observation.Payload() {
            @Override
            public FeatureBatch inputs() {
                return in;
            }

            @Override
            public FeatureBatch outputs() {
                profiled.countDown();
                return out;
            }
        };
        assertThat(ingestor.observe(new Observation("fraud", 3, "held", clock.millis(), 1_000_000, "ok", payload))).isTrue();
        return new java.lang.ref.WeakReference<>(payload);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aPartWhoseStoredWindowCannotBeReadIsGivenUpAtOnceAndHoldsNothingBack() {
        var clock = new MutableClock(T0);
        var random = new Random(8);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            // the default retry period, ten minutes: a part retried for it would outlast flushNow's minute
            try (var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults())) {
                ingestor.observe(request(clock, random, "stored", 3));
                ingestor.flushNow();
                db.writeVoid(h -> h.execute("UPDATE monitor_windows SET input_profile = X'00010203'"
                        + " WHERE granularity = 'minute'"));
                ingestor.observe(request(clock, random, "lost", 3));
                ingestor.flushNow();
                assertThat(ingestor.stats().abandonedParts()).isEqualTo(1);
                clock.advanceSeconds(60);
                ingestor.observe(request(clock, random, "next", 3));
                ingestor.flushNow();
                assertThat(store.get("fraud", 3, Granularity.MINUTE, M1).orElseThrow().data().rows()).isEqualTo(3);
                assertThat(store.get("fraud", 3, Granularity.HOUR, Granularity.HOUR.floor(M0)).orElseThrow().data().rows())
                        .isEqualTo(3 + 3);
            }
        }
    }

    @Test
    void onlyDatabaseFailuresAreRetried() {
        var outage = new org.jdbi.v3.core.statement.UnableToExecuteStatementException(
                new java.sql.SQLException("connection refused", "08001"), null);
        var nul = new org.jdbi.v3.core.statement.UnableToExecuteStatementException(
                new java.sql.SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021"), null);
        assertThat(PredictionIngestor.mayPassOff(outage)).isTrue();
        assertThat(PredictionIngestor.mayPassOff(nul)).isFalse();
        assertThat(PredictionIngestor.mayPassOff(new IllegalStateException("corrupt stored window"))).isFalse();
    }

    @Test
    void theVersionOfASpanIsReadFromTheWindowsItHoldsWhole() {
        var clock = new MutableClock(T0);
        var random = new Random(6);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            try (var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults())) {
                ingestor.observe(request(clock, random, "v3", 5)); // version 3 in minute 10:00
                clock.advanceSeconds(60);
                var v4 = request(clock, random, "v4", 5); // version 4 rolled out at 10:01:10, in the same hour
                ingestor.observe(new Observation(v4.deployment(), 4, v4.requestId(), v4.timestamp(), v4.latencyNanos(),
                        v4.outcome(), v4.payload()));
                ingestor.flushNow();
            }
            // the hour row of 10:00 holds version 4 too, but reaches past a span of minute 10:00
            assertThat(store.latestVersion("fraud", M0, M1)).contains(3);
            assertThat(store.latestVersion("fraud", M0, M1 + 60_000)).contains(4);
            assertThat(store.summarize("fraud", 3, M0, M1 + 60_000).orElseThrow().rows()).isEqualTo(5);
            assertThat(store.summarize("fraud", null, M0, M1 + 60_000).orElseThrow().rows()).isEqualTo(10);
            long hour = Granularity.HOUR.floor(M0);
            db.writeVoid(h -> h.execute("DELETE FROM monitor_windows WHERE granularity = 'minute'")); // pruned minutes
            assertThat(store.latestVersion("fraud", hour, hour + 3_600_000)).contains(4);
            assertThat(store.latestVersion("fraud", M0, M1)).isEmpty();
        }
    }

    @Test
    void spansAreReadFromTheCoarsestWholeWindows() {
        long day = Granularity.DAY.floor(M0);
        var tiles = WindowStore.tiles(day - 120_000, day + 86_400_000L + 3_600_000L + 180_000);
        assertThat(tiles).extracting(t -> Granularity.values()[(int) t[0]] + "@" + (t[1] - day) + "-" + (t[2] - day))
                .containsExactly("MINUTE@-120000-0", "DAY@0-86400000", "HOUR@86400000-90000000", "MINUTE@90000000-90180000");
        // a span off the minute boundaries reads every minute it overlaps
        assertThat(WindowStore.minutes(day + 30_000, day + 90_000)).containsExactly(day, day + 120_000);
        assertThat(WindowStore.minutes(day + 60_000, day + 120_000)).containsExactly(day + 60_000, day + 120_000);
        assertThat(WindowStore.tiles(day - 30_000, day + 3_600_000L + 1))
                .extracting(t -> Granularity.values()[(int) t[0]] + "@" + (t[1] - day) + "-" + (t[2] - day))
                .containsExactly("MINUTE@-60000-0", "HOUR@0-3600000", "MINUTE@3600000-3660000");
    }

    @Test
    void mergedSamplesStayBoundedAndKeepTheirColumns() {
        var a = new RowSample(100, 1);
        var b = new RowSample(100, 2);
        var x = new double[1000];
        java.util.Arrays.fill(x, 1.0);
        a.add(new FeatureBatch(1000, List.of(FeatureBatch.Feature.numeric("x", x))));
        b.add(new FeatureBatch(10, List.of(FeatureBatch.Feature.categorical("y", new String[10]))));
        var merged = a.merge(b);
        assertThat(merged.seen()).isEqualTo(1010);
        assertThat(merged.size()).isEqualTo(100);
        assertThat(merged.names()).containsExactly("x", "y");
        var back = RowSample.fromBytes(merged.toBytes(), 3);
        assertThat(back.size()).isEqualTo(100);
        assertThat(back.toDataset().rowCount()).isEqualTo(100);
    }

    @Test
    void aPayloadThatCannotBeReadIsCountedLongValuesAreBoundedAndAWindowKeepsAtMostMaxFeatures() {
        var clock = new MutableClock(T0);
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var store = new WindowStore(db);
            var ingestor = new PredictionIngestor(store, clock, PredictionIngestor.Config.defaults());
            ingestor.observe(new Observation("fraud", 3, "broken", clock.millis(), 4_000_000, "ok", new Observation.Payload() {
                @Override
                public FeatureBatch inputs() {
                    throw new IllegalArgumentException("a column shorter than the rows");
                }

                @Override
                public FeatureBatch outputs() {
                    return FeatureBatch.empty(1);
                }
            }));
            // a document sent as a category: kept as its start and a hash, distinct from another with the same start
            var document = "lorem ipsum ".repeat(100_000);
            var other = document + "!";
            var docs = new FeatureBatch(2, List.of(FeatureBatch.Feature.categorical("text", new String[] {document, other})));
            ingestor.observe(observation(clock, "fraud", "docs", docs, FeatureBatch.empty(2)));
            // a client naming its columns anew in every request
            for (int r = 0; r < 3; r++) {
                var wide = new ArrayList<FeatureBatch.Feature>();
                for (int f = 0; f < 4_000; f++) {
                    wide.add(FeatureBatch.Feature.numeric("r" + r + "_" + f, new double[] {f}));
                }
                ingestor.observe(observation(clock, "fraud", "wide" + r, new FeatureBatch(1, wide), FeatureBatch.empty(1)));
            }
            ingestor.close();
            assertThat(ingestor.stats().decodeFailures()).isEqualTo(1);

            var minute = store.get("fraud", 3, Granularity.MINUTE, M0).orElseThrow().data();
            assertThat(minute.requests()).as("the unreadable one counted too").isEqualTo(5);
            assertThat(minute.latencyMs().n()).isEqualTo(5);
            var text = minute.inputs().column("text");
            assertThat(text.distinctEstimate()).isCloseTo(2.0, org.assertj.core.api.Assertions.within(0.1));
            var kept = java.util.Arrays.stream(((dev.launchpad.stats.Column.Categorical) minute.inputSample().column("text"))
                    .values()).filter(java.util.Objects::nonNull).toList(); // the other requests' rows have no text
            assertThat(kept).hasSize(2).doesNotHaveDuplicates().allSatisfy(v -> assertThat(v)
                    .hasSizeLessThanOrEqualTo(FeatureBatch.MAX_VALUE_LENGTH).startsWith("lorem ipsum").contains("…#"));
            assertThat(minute.inputs().columns()).hasSize(FeatureBatch.MAX_FEATURES);
            assertThat(minute.inputSample().names()).hasSize(FeatureBatch.MAX_FEATURES);
            assertThat(minute.schemaMismatches()).as("the 2 001 features past them").isEqualTo(12_001 - FeatureBatch.MAX_FEATURES);
            assertThat(minute.inputSample().names()).containsExactlyInAnyOrderElementsOf(minute.inputs().columns().keySet());
        }
    }
}
