package dev.launchpad.bench.serving;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Closed-loop load on two servers in one process that switches between them every slice (A B, B A, A B, ...),
 * so both see the same state of a shared machine, and that accounts for CPU per slice: the whole process, the
 * load generator's own threads, and a chosen set of the servers' threads. Throughput of adjacent slices pairs
 * up into ratios; CPU per request compares what serving one request costs on each server, which a noisy host
 * disturbs much less than throughput.
 */
final class AlternatingLoad {
    private static final String CLIENT_PREFIX = "load-client-";
    private static final String HTTP_PREFIX = "load-http-";

    /** One slice: which server, requests answered (200), and CPU spent in it (ns). */
    record Slice(int target, long requests, long wallNanos, long processCpu, long clientCpu, long watchedCpu) {
        double requestsPerSecond() {
            return requests / (wallNanos / 1e9);
        }
    }

    /**
     * The slices of a run and what they add up to; {@code tailWatchedCpu} is what the watched threads spent after the
     * last slice finishing the work it left (a flush), charged to their owner too.
     */
    record Result(List<Slice> slices, long tailWatchedCpu) {
        /** Server-side CPU per request of {@code target} (ns): process minus load generator; watched threads' CPU,
         * whenever it was spent, is charged to {@code watchedOwner}. */
        double serverCpuPerRequest(int target, int watchedOwner) {
            double cpu = target == watchedOwner ? tailWatchedCpu : 0;
            long requests = 0;
            for (var s : slices) {
                if (s.target() == target) {
                    cpu += s.processCpu() - s.clientCpu() - s.watchedCpu();
                    requests += s.requests();
                }
                if (target == watchedOwner) {
                    cpu += s.watchedCpu();
                }
            }
            return cpu / Math.max(1, requests);
        }

        /** Watched threads' CPU per request of {@code owner} (ns). */
        double watchedCpuPerRequest(int owner) {
            long cpu = tailWatchedCpu + slices.stream().mapToLong(Slice::watchedCpu).sum();
            long requests = slices.stream().filter(s -> s.target() == owner).mapToLong(Slice::requests).sum();
            return (double) cpu / Math.max(1, requests);
        }

        /** Throughput ratio b / a of each adjacent pair of slices. */
        double[] pairRatios(int a, int b) {
            var ratios = new double[slices.size() / 2];
            for (int p = 0; p < ratios.length; p++) {
                var x = slices.get(2 * p);
                var y = slices.get(2 * p + 1);
                var sa = x.target() == a ? x : y;
                var sb = x.target() == b ? x : y;
                ratios[p] = sb.requestsPerSecond() / sa.requestsPerSecond();
            }
            return ratios;
        }

        double meanRequestsPerSecond(int target) {
            return slices.stream().filter(s -> s.target() == target).mapToDouble(Slice::requestsPerSecond).average()
                    .orElse(0);
        }
    }

    private AlternatingLoad() {
    }

    /**
     * {@code clients} clients send {@code body} back to back to {@code urls[target]}, the target switching every
     * {@code sliceMillis}; after {@code warmUpMillis} on each, {@code settle} runs (unmeasured), then {@code pairs}
     * pairs of slices are measured, then {@code settle} runs again with the watched threads' CPU measured. Threads
     * whose ids are in {@code watched} are accounted separately.
     */
    static Result run(String[] urls, String body, int clients, int pairs, int sliceMillis, int warmUpMillis,
                      Set<Long> watched, Runnable settle) throws Exception {
        var mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var httpThreads = new AtomicInteger();
        ExecutorService httpExecutor = Executors.newFixedThreadPool(4,
                r -> Thread.ofPlatform().name(HTTP_PREFIX + httpThreads.incrementAndGet()).daemon().unstarted(r));
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpExecutor).build();
        var requests = Arrays.stream(urls).map(u -> HttpRequest.newBuilder(URI.create(u))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build())
                .toArray(HttpRequest[]::new);
        var answered = new AtomicLongArray(urls.length);
        var errors = new AtomicLongArray(urls.length);
        var target = new AtomicInteger();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var threads = new ArrayList<Thread>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().name(CLIENT_PREFIX + c).daemon().start(() -> {
                while (!stop.get()) {
                    int t = target.get();
                    try {
                        int status = client.send(requests[t], HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                        (status == 200 ? answered : errors).incrementAndGet(t);
                    } catch (Exception e) {
                        errors.incrementAndGet(t);
                    }
                }
            }));
        }
        try {
            for (int t = 0; t < urls.length; t++) {
                target.set(t);
                Thread.sleep(warmUpMillis);
            }
            settle.run();
            // the threads to account, looked up once: listing all threads inside a slice would cost the slice
            var clientIds = idsOf(name -> name.startsWith(CLIENT_PREFIX) || name.startsWith(HTTP_PREFIX)
                    || name.startsWith("HttpClient-") || name.equals(Thread.currentThread().getName()));
            var watchedIds = watched.stream().mapToLong(Long::longValue).toArray();
            var slices = new ArrayList<Slice>();
            for (int p = 0; p < pairs; p++) {
                for (int i = 0; i < 2; i++) {
                    int t = p % 2 == 0 ? i : 1 - i;
                    target.set(t);
                    Thread.sleep(20); // requests sent to the other server finish
                    long r0 = answered.get(t);
                    long w0 = System.nanoTime();
                    long p0 = os.getProcessCpuTime();
                    long c0 = cpuOf(mx, clientIds);
                    long m0 = cpuOf(mx, watchedIds);
                    Thread.sleep(sliceMillis);
                    long r1 = answered.get(t);
                    long w1 = System.nanoTime();
                    long p1 = os.getProcessCpuTime();
                    long c1 = cpuOf(mx, clientIds);
                    long m1 = cpuOf(mx, watchedIds);
                    slices.add(new Slice(t, r1 - r0, w1 - w0, p1 - p0, c1 - c0, m1 - m0));
                }
            }
            long failed = 0;
            for (int t = 0; t < urls.length; t++) {
                failed += errors.get(t);
            }
            if (failed > 0) {
                System.out.println("requests that failed: " + failed);
            }
            stop.set(true);
            long tail0 = cpuOf(mx, watchedIds);
            settle.run();
            long tail = cpuOf(mx, watchedIds) - tail0;
            return new Result(slices, tail);
        } finally {
            stop.set(true);
            for (var t : threads) {
                t.join(10_000);
            }
            httpExecutor.shutdownNow();
            client.close();
        }
    }

    /** Threads whose CPU is watched: the monitoring threads that exist now and did not in {@code before}. */
    static Set<Long> threadsNamed(String prefix, Set<Long> before) {
        var ids = new java.util.HashSet<Long>();
        for (long id : idsOf(name -> name.startsWith(prefix))) {
            if (!before.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static long[] idsOf(java.util.function.Predicate<String> names) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> names.test(t.getName()))
                .mapToLong(Thread::threadId).toArray();
    }

    private static long cpuOf(java.lang.management.ThreadMXBean mx, long[] ids) {
        long total = 0;
        for (long id : ids) {
            total += Math.max(0, mx.getThreadCpuTime(id));
        }
        return total;
    }

    /** Mean and the half-width of its 95 % confidence interval (normal approximation). */
    static double[] meanAndHalfWidth(double[] xs) {
        double mean = Arrays.stream(xs).average().orElse(Double.NaN);
        double var = 0;
        for (double x : xs) {
            var += (x - mean) * (x - mean);
        }
        var /= Math.max(1, xs.length - 1);
        return new double[] {mean, 1.96 * Math.sqrt(var / xs.length)};
    }

    static double median(double[] xs) {
        var sorted = xs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
