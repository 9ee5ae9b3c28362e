package dev.launchpad.bench.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Closed-loop load on two servers, each in a process of its own ({@link ServerProcess}), that switches between
 * them every slice (A B, B A, A B, ...), so both see the same state of a shared machine. Throughput of adjacent
 * slices pairs up into ratios; each server's CPU, read from its process at every slice boundary, is charged to
 * it whenever in a slice it was spent (a monitoring thread finishing its work during the other server's slice)
 * and in the flush after the last one, which gives what serving one request costs each server, a figure a noisy
 * host disturbs much less than throughput. The 20 ms before each slice, while requests to the other server
 * finish, are charged to neither.
 */
final class AlternatingLoad {
    /** One slice: which server, requests answered (200), wall time, and what each server spent in it. */
    record Slice(int target, long requests, long wallNanos, ServerProcess.Usage[] spent) {
        double requestsPerSecond() {
            return requests / (wallNanos / 1e9);
        }
    }

    /**
     * The slices of a run and what each server spent after the last one finishing the work it left (a flush),
     * charged to it too.
     */
    record Result(List<Slice> slices, ServerProcess.Usage[] tail, List<java.util.Map<String, Long>> threadTicks,
                  long[] failed) {
        /** Everything server {@code target} spent over the run, the tail included. */
        ServerProcess.Usage spent(int target) {
            var total = tail[target];
            for (var s : slices) {
                total = total.plus(s.spent()[target]);
            }
            return total;
        }

        /** Requests answered by {@code target} in the measured slices. */
        long requests(int target) {
            return slices.stream().filter(s -> s.target() == target).mapToLong(Slice::requests).sum();
        }

        /** CPU server {@code target} spent per request it answered (ns). */
        double cpuPerRequest(int target) {
            return (double) spent(target).cpuNanos() / Math.max(1, requests(target));
        }

        /** CPU the monitoring threads of {@code target} spent per request it answered (ns). */
        double monitoringCpuPerRequest(int target) {
            return (double) spent(target).monitoringCpuNanos() / Math.max(1, requests(target));
        }

        /**
         * CPU per request answered by {@code target} (µs) of its threads by name (numbers left out), over the measured
         * slices and the final flush; from clock ticks of 10 ms.
         */
        java.util.Map<String, Double> threadCpuPerRequest(int target) {
            var perRequest = new java.util.TreeMap<String, Double>();
            long requests = Math.max(1, requests(target));
            threadTicks.get(target).forEach((name, ticks) -> perRequest.put(name, ticks * 10_000.0 / requests));
            return perRequest;
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
     * {@code clients} clients send {@code body} back to back to {@code path} on {@code servers[target]}, the target
     * switching every {@code sliceMillis}; after {@code warmUpMillis} on each, every server flushes (unmeasured),
     * then {@code pairs} pairs of slices are measured, then every server flushes again, measured.
     */
    static Result run(ServerProcess[] servers, String path, RequestBody body, int clients, int pairs, int sliceMillis,
                      int warmUpMillis) throws Exception {
        var urls = Arrays.stream(servers).map(ServerProcess::url).toArray(String[]::new);
        var load = new LoadClients(urls, path, body, clients);
        try {
            for (int t = 0; t < servers.length; t++) {
                load.target(t);
                Thread.sleep(warmUpMillis);
            }
            for (var s : servers) {
                s.flush();
            }
            var ticksBefore = Arrays.stream(servers).map(ServerProcess::threads).toList();
            var slices = new ArrayList<Slice>();
            for (int p = 0; p < pairs; p++) {
                for (int i = 0; i < 2; i++) {
                    int t = servers.length == 1 ? 0 : p % 2 == 0 ? i : 1 - i;
                    load.target(t);
                    Thread.sleep(20); // requests sent to the other server finish
                    var before = usages(servers);
                    long r0 = load.answered(t);
                    long w0 = System.nanoTime();
                    Thread.sleep(sliceMillis);
                    long r1 = load.answered(t);
                    long w1 = System.nanoTime();
                    slices.add(new Slice(t, r1 - r0, w1 - w0, minus(usages(servers), before)));
                }
            }
            var failed = new long[servers.length];
            for (int t = 0; t < servers.length; t++) {
                failed[t] = load.failed(t);
            }
            load.stop();
            var before = usages(servers);
            for (var s : servers) {
                s.flush();
            }
            var tail = minus(usages(servers), before);
            var threadTicks = new ArrayList<java.util.Map<String, Long>>();
            for (int i = 0; i < servers.length; i++) {
                var ticks = new java.util.TreeMap<>(servers[i].threads());
                ticksBefore.get(i).forEach((name, t) -> ticks.merge(name, -t, Long::sum));
                threadTicks.add(ticks);
            }
            return new Result(slices, tail, threadTicks, failed);
        } finally {
            load.close();
        }
    }

    private static ServerProcess.Usage[] usages(ServerProcess[] servers) {
        return Arrays.stream(servers).map(ServerProcess::usage).toArray(ServerProcess.Usage[]::new);
    }

    private static ServerProcess.Usage[] minus(ServerProcess.Usage[] after, ServerProcess.Usage[] before) {
        var d = new ServerProcess.Usage[after.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i].minus(before[i]);
        }
        return d;
    }

    /** Mean and the half-width of its 95 % confidence interval by Student's t (NaN for fewer than two values). */
    static double[] meanAndHalfWidth(double[] xs) {
        double[] t975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
                2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
        double mean = Arrays.stream(xs).average().orElse(Double.NaN);
        double var = 0;
        for (double x : xs) {
            var += (x - mean) * (x - mean);
        }
        var /= Math.max(1, xs.length - 1);
        int df = xs.length - 1;
        double t = df < 1 ? Double.NaN : df < t975.length ? t975[df] : 1.96 + 2.5 / df; // within 0.2 % past 20
        return new double[] {mean, t * Math.sqrt(var / xs.length)};
    }

    static double median(double[] xs) {
        var sorted = xs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
