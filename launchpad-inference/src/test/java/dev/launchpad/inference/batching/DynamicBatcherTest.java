package dev.launchpad.inference.batching;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.inference.runtime.OnnxModel;
import dev.launchpad.inference.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The dynamic batcher in front of a real ONNX model: merging, splitting, waiting and refusing. */
class DynamicBatcherTest {

    @Test
    void concurrentRequestsAreMergedAndEveryCallerGetsItsOwnRows(@TempDir Path dir) throws Exception {
        var mlp = OnnxTestModels.mlp(30, 16, 5);
        var batchSizes = new CopyOnWriteArrayList<Integer>();
        try (var model = OnnxModel.loadFile(mlp.write(dir.resolve("mlp.onnx")), null, OnnxModel.Options.DEFAULTS);
             var batcher = new DynamicBatcher("mlp", new BatchingConfig(64, Duration.ofMillis(20), 1000), model::run,
                     batchSizes::add);
             var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            int requests = 64;
            var start = new CountDownLatch(1);
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < requests; i++) {
                int rows = 1 + i % 3;
                var x = new float[rows * 30];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) Math.sin(i * 31 + j);
                }
                futures.add(clients.submit(() -> {
                    start.await();
                    var out = batcher.submit(model.validate(List.of(Tensor.of("x", x, rows, 30)))).get(10, TimeUnit.SECONDS);
                    var y = out.getFirst();
                    assertThat(y.shape()).containsExactly(rows, 1);
                    for (int r = 0; r < rows; r++) {
                        var row = java.util.Arrays.copyOfRange(x, r * 30, r * 30 + 30);
                        assertThat((double) y.floats()[r]).isCloseTo(mlp.predict(row), within(1e-5));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
            assertThat(batcher.requestCount()).isEqualTo(requests);
            assertThat(batcher.batchCount()).isLessThan(requests / 2);
            int totalRows = java.util.stream.IntStream.range(0, requests).map(i -> 1 + i % 3).sum();
            assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(totalRows);
            assertThat(batchSizes).allMatch(size -> size <= 64);
        }
    }

    @Test
    void aLoneRequestWaitsAtMostTheQueueDelay(@TempDir Path dir) throws Exception {
        var mlp = OnnxTestModels.mlp(30, 4, 1);
        var delay = Duration.ofMillis(300);
        try (var model = OnnxModel.loadFile(mlp.write(dir.resolve("m.onnx")), null, OnnxModel.Options.DEFAULTS);
             var batcher = new DynamicBatcher("m", new BatchingConfig(1000, delay, 10), model::run, n -> { })) {
            long t0 = System.nanoTime();
            batcher.submit(model.validate(List.of(Tensor.of("x", new float[30], 1, 30)))).get(5, TimeUnit.SECONDS);
            long waited = System.nanoTime() - t0;
            // the batch was never full, so it was sent when the delay ran out — not before, and not much after
            assertThat(Duration.ofNanos(waited)).isGreaterThanOrEqualTo(delay.minusMillis(5));
            assertThat(Duration.ofNanos(waited)).isLessThan(delay.plusSeconds(3));
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWithAnOverloadError() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        java.util.function.Function<List<Tensor>, List<Tensor>> slowModel = in -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return in;
        };
        try (var batcher = new DynamicBatcher("slow", new BatchingConfig(1, Duration.ZERO, 2), slowModel, n -> { })) {
            var input = List.of(Tensor.of("x", new float[] {1}, 1, 1));
            var first = batcher.submit(input);
            started.await(5, TimeUnit.SECONDS);           // the model is busy with the first request
            var queued = List.of(batcher.submit(input), batcher.submit(input)); // the queue holds two
            assertThat(batcher.queueDepth()).isEqualTo(2);
            assertThat(batcher.queuedRows()).isEqualTo(2);
            assertThatThrownBy(() -> batcher.submit(input)).isInstanceOfSatisfying(OverloadedException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_LIMIT_EXCEEDED);
                assertThat(e.queueDepth()).isEqualTo(2);
                assertThat(e.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            }).hasMessageContaining("overloaded");
            assertThat(batcher.stats()).isEqualTo(new BatcherStats(2, 2, 3, 3, 1, 1, 0));
            release.countDown();
            first.get(5, TimeUnit.SECONDS);
            for (var q : queued) {
                q.get(5, TimeUnit.SECONDS);
            }
            assertThat(batcher.rejectedCount()).isEqualTo(1);
            assertThat(batcher.queueDepth()).isZero();
            assertThat(batcher.queuedRows()).isZero();
        }
    }

    @Test
    void requestsQueuedWhileTheModelIsBusyAreMergedUpToMaxBatchSize() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        java.util.function.Function<List<Tensor>, List<Tensor>> model = in -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            var x = in.getFirst();
            var y = new float[x.length()];
            for (int i = 0; i < y.length; i++) {
                y[i] = x.floats()[i] * 10;
            }
            return List.of(Tensor.of("y", y, x.shape()));
        };
        var batchSizes = new CopyOnWriteArrayList<Integer>();
        try (var batcher = new DynamicBatcher("busy", new BatchingConfig(4, Duration.ZERO, 100), model, batchSizes::add)) {
            var first = batcher.submit(List.of(Tensor.of("x", new float[] {-1}, 1, 1)));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            var queued = new ArrayList<CompletableFuture<List<Tensor>>>();
            for (int i = 0; i < 12; i++) {
                queued.add(batcher.submit(List.of(Tensor.of("x", new float[] {i}, 1, 1))));
            }
            assertThat(batcher.queueDepth()).isEqualTo(12);
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(-10);
            for (int i = 0; i < 12; i++) {
                var y = queued.get(i).get(5, TimeUnit.SECONDS).getFirst();
                assertThat(y.shape()).containsExactly(1, 1);
                assertThat(y.floats()).containsExactly(i * 10f);
            }
            // the twelve waited together, so they went in three full batches of four
            assertThat(batchSizes).containsExactly(1, 4, 4, 4);
            assertThat(batcher.batchCount()).isEqualTo(4);
        }
    }

    @Test
    void incompatibleRequestsAreNotMergedAndARequestLargerThanTheBatchRunsAlone() throws Exception {
        var calls = new CopyOnWriteArrayList<List<Tensor>>();
        java.util.function.Function<List<Tensor>, List<Tensor>> echo = in -> {
            calls.add(in);
            return in;
        };
        var batchSizes = new CopyOnWriteArrayList<Integer>();
        try (var batcher = new DynamicBatcher("echo", new BatchingConfig(4, Duration.ofMillis(200), 100), echo, batchSizes::add)) {
            var wide = batcher.submit(List.of(Tensor.of("x", new float[] {1, 2}, 1, 2)));
            var narrow = batcher.submit(List.of(Tensor.of("x", new float[] {3}, 1, 1)));
            var big = batcher.submit(List.of(Tensor.of("x", new float[] {4, 5, 6, 7, 8, 9}, 6, 1)));
            assertThat(wide.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(1, 2);
            assertThat(narrow.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(3);
            assertThat(big.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(4, 5, 6, 7, 8, 9);
            assertThat(calls).hasSize(3);
            assertThat(batchSizes).containsExactly(1, 1, 6);
        }
    }

    @Test
    void aClassifierWithZipMapAndAModelOfMixedTypesAreBatchedAndSplitBack(@TempDir Path dir) throws Exception {
        var classifier = OnnxTestModels.treeClassifier(6, 8, 3, 4, 3, true);
        var random = new java.util.Random(17);
        try (var trees = OnnxModel.load(OnnxTestModels.writePackage(dir.resolve("trees"), classifier.onnx(), null),
                     OnnxModel.Options.DEFAULTS);
             var mixed = OnnxModel.load(OnnxTestModels.writePackage(dir.resolve("mixed"), OnnxTestModels.mixedTypes(), null),
                     OnnxModel.Options.DEFAULTS);
             var treeBatcher = new DynamicBatcher("trees", new BatchingConfig(32, Duration.ofMillis(30), 100), trees::run, n -> { });
             var mixedBatcher = new DynamicBatcher("mixed", new BatchingConfig(32, Duration.ofMillis(30), 100), mixed::run, n -> { });
             var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var start = new CountDownLatch(1);
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 24; i++) {
                var x = new float[2 * 6];
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) random.nextGaussian();
                }
                int n = i;
                futures.add(clients.submit(() -> {
                    start.await();
                    var out = treeBatcher.submit(trees.validate(List.of(Tensor.of("X", x, 2, 6)))).get(10, TimeUnit.SECONDS);
                    var p = Tensor.named(out, "probabilities");
                    assertThat(p.shape()).containsExactly(2, 4);
                    for (int r = 0; r < 2; r++) {
                        var row = java.util.Arrays.copyOfRange(x, r * 6, r * 6 + 6);
                        assertThat(Tensor.named(out, "label").longs()[r]).isEqualTo(classifier.label(row));
                        for (int c = 0; c < 4; c++) {
                            assertThat((double) p.floats()[r * 4 + c]).isCloseTo(classifier.probabilities(row)[c], within(1e-5));
                        }
                    }
                    return null;
                }));
                futures.add(clients.submit(() -> {
                    start.await();
                    String city = OnnxTestModels.CITIES.get(n % 3);
                    var out = mixedBatcher.submit(mixed.validate(List.of(
                            Tensor.of("amount", new double[] {n}, 1, 1), Tensor.of("count", new long[] {n * 2L}, 1, 1),
                            Tensor.of("code", new int[] {-n}, 1, 1), Tensor.of("flag", new boolean[] {n % 2 == 0}, 1, 1),
                            Tensor.of("city", new String[] {city}, 1, 1)))).get(10, TimeUnit.SECONDS);
                    assertThat(Tensor.named(out, "score").doubles())
                            .containsExactly(OnnxTestModels.mixedScore(n, n * 2L, -n, n % 2 == 0, city));
                    assertThat(Tensor.named(out, "city_echo").strings()).containsExactly(city);
                    assertThat(Tensor.named(out, "not_flag").booleans()).containsExactly(n % 2 != 0);
                    return null;
                }));
            }
            start.countDown();
            for (var f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
            assertThat(treeBatcher.batchCount()).isLessThan(treeBatcher.requestCount());
            assertThat(mixedBatcher.batchCount()).isLessThan(mixedBatcher.requestCount());
        }
    }

    @Test
    void aFailingRequestDoesNotFailTheOthersInItsBatch() throws Exception {
        java.util.function.Function<List<Tensor>, List<Tensor>> picky = in -> {
            for (float v : in.getFirst().floats()) {
                if (v < 0) {
                    throw LaunchpadException.invalid("negative input");
                }
            }
            return List.of(new Tensor("y", in.getFirst().type(), in.getFirst().shape(), in.getFirst().floats().clone()));
        };
        try (var batcher = new DynamicBatcher("picky", new BatchingConfig(10, Duration.ofMillis(200), 10), picky, n -> { })) {
            var good = batcher.submit(List.of(Tensor.of("x", new float[] {1, 2}, 2, 1)));
            var bad = batcher.submit(List.of(Tensor.of("x", new float[] {-1}, 1, 1)));
            var good2 = batcher.submit(List.of(Tensor.of("x", new float[] {3}, 1, 1)));
            assertThat(good.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(1, 2);
            assertThat(good2.get(5, TimeUnit.SECONDS).getFirst().floats()).containsExactly(3);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LaunchpadException.class);
        }
    }

    @Test
    void closeAnswersWhatIsQueuedAndRefusesNewRequests() throws Exception {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var batcher = new DynamicBatcher("c", new BatchingConfig(4, Duration.ofMillis(50), 100), in -> {
            calls.incrementAndGet();
            return in;
        }, n -> { });
        var pending = new ArrayList<CompletableFuture<List<Tensor>>>();
        for (int i = 0; i < 10; i++) {
            pending.add(batcher.submit(List.of(Tensor.of("x", new float[] {i}, 1, 1))));
        }
        batcher.close();
        for (var p : pending) {
            assertThat(p).isCompleted();
            assertThat(p.get()).hasSize(1);
        }
        assertThat(calls.get()).isBetween(3, 10);
        assertThatThrownBy(() -> batcher.submit(List.of(Tensor.of("x", new float[] {1}, 1, 1))))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE));
    }
}
