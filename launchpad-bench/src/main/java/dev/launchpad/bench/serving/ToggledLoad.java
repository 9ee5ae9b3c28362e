package dev.launchpad.bench.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Closed-loop load on one server whose prediction logging is switched between slices (off on, on off, off on, ...).
 * Both sides of a pair are served by the same JVM — the same compiled code, heap and threads — so they differ only
 * in logging and in the moment, unlike two servers in two JVMs, whose JIT decisions differ by several percent.
 * What each slice costs the server (CPU, its monitoring threads, GC, CPU by thread) is read at its boundaries; the
 * 20 ms after each switch, while requests begun before it finish, belong to neither side.
 *
 * <p>The monitoring threads finish some of an on slice's work after it — the requests of its last nap (up to
 * 50 ms), a minute's flush when the minute ends — and that CPU is spent in whatever slice follows.
 * {@link Result#attributedCpuPerRequest} moves what they spent in off slices beyond what they spend anyway to the
 * on slices, together with the flush after the last slice. What it cannot move: garbage of on slices collected
 * in off slices (young collections come when the young generation is full), and that the off side runs code
 * compiled while logging was on too (call sites that saw the recording wrapper) — not a server that never logs.
 */
final class ToggledLoad {

    /** One slice: logging on or off, requests answered (200), wall time, what the server spent, its CPU by thread. */
    record Slice(boolean logging, long requests, long wallNanos, ServerProcess.Usage spent, Map<String, Long> ticks) {
        double requestsPerSecond() {
            return requests / (wallNanos / 1e9);
        }
    }

    /**
     * The slices of a run (side a, b, then b, a, ...), what the server spent on the flush after the last one, and
     * requests that failed.
     */
    record Result(List<Slice> slices, ServerProcess.Usage tail, long failed) {
        /** Throughput ratio side b / side a of each pair. */
        double[] pairRatios() {
            var ratios = new double[slices.size() / 2];
            for (int p = 0; p < ratios.length; p++) {
                var x = slices.get(2 * p);
                var y = slices.get(2 * p + 1);
                var a = p % 2 == 0 ? x : y;
                var b = p % 2 == 0 ? y : x;
                ratios[p] = b.requestsPerSecond() / a.requestsPerSecond();
            }
            return ratios;
        }

        /** Whether slice {@code i} is side b's: a comes first in even pairs, b first in odd ones. */
        static boolean isB(int i) {
            return (i % 2 == 1) == ((i / 2) % 2 == 0);
        }

        /** The slices of side b, or of side a. */
        List<Slice> sideByPosition(boolean b) {
            var out = new ArrayList<Slice>();
            for (int i = 0; i < slices.size(); i++) {
                if (isB(i) == b) {
                    out.add(slices.get(i));
                }
            }
            return out;
        }

        /**
         * The monitoring threads' CPU per nanosecond of wall time in side-a slices that follow another side-a slice
         * (the first of pairs 2, 4, ...), where no side-b slice's work is left to finish: what they spend anyway
         * (scheduled checks, the ingest thread's wake-ups). 0 when there are none.
         */
        double baselineMonitoringRate() {
            long cpu = 0;
            long wall = 0;
            for (int i = 1; i < slices.size(); i++) {
                if (!isB(i) && !isB(i - 1)) {
                    cpu += slices.get(i).spent().monitoringCpuNanos();
                    wall += slices.get(i).wallNanos();
                }
            }
            return wall == 0 ? 0 : (double) cpu / wall;
        }

        static long requests(List<Slice> side) {
            return side.stream().mapToLong(Slice::requests).sum();
        }

        static ServerProcess.Usage spent(List<Slice> side) {
            var total = new ServerProcess.Usage(0, 0, 0, 0, 0, 0, 0);
            for (var s : side) {
                total = total.plus(s.spent());
            }
            return total;
        }

        static double meanRequestsPerSecond(List<Slice> side) {
            return side.stream().mapToDouble(Slice::requestsPerSecond).average().orElse(0);
        }

        /** Process CPU per request (ns) of side a and side b, as spent in their slices. */
        double[] cpuPerRequest() {
            var a = sideByPosition(false);
            var b = sideByPosition(true);
            return new double[] {(double) spent(a).cpuNanos() / Math.max(1, requests(a)),
                    (double) spent(b).cpuNanos() / Math.max(1, requests(b))};
        }

        /**
         * Process CPU per request (ns) of side a and side b, with what the monitoring threads spent in side a's slices
         * beyond their {@link #baselineMonitoringRate baseline}, and the flush after the last slice, charged to side b
         * (the logging side), whose work it was.
         */
        double[] attributedCpuPerRequest() {
            var a = sideByPosition(false);
            var b = sideByPosition(true);
            long wallA = a.stream().mapToLong(Slice::wallNanos).sum();
            long moved = Math.max(0, Math.round(spent(a).monitoringCpuNanos() - baselineMonitoringRate() * wallA));
            return new double[] {(double) (spent(a).cpuNanos() - moved) / Math.max(1, requests(a)),
                    (double) (spent(b).cpuNanos() + moved + tail.cpuNanos()) / Math.max(1, requests(b))};
        }

        /** Monitoring threads' CPU per request (ns) in side a's and side b's slices, as spent there. */
        double[] monitoringCpuPerRequest() {
            var a = sideByPosition(false);
            var b = sideByPosition(true);
            return new double[] {(double) spent(a).monitoringCpuNanos() / Math.max(1, requests(a)),
                    (double) spent(b).monitoringCpuNanos() / Math.max(1, requests(b))};
        }

        /** CPU per request (µs) of the server's threads by name in one side's slices, from clock ticks of 10 ms. */
        Map<String, Double> threadCpuPerRequest(boolean b) {
            var side = sideByPosition(b);
            var ticks = new TreeMap<String, Long>();
            for (var s : side) {
                s.ticks().forEach((name, t) -> ticks.merge(name, t, Long::sum));
            }
            long requests = Math.max(1, requests(side));
            var perRequest = new TreeMap<String, Double>();
            ticks.forEach((name, t) -> perRequest.put(name, t * 10_000.0 / requests));
            return perRequest;
        }
    }

    private ToggledLoad() {
    }

    /**
     * {@code clients} clients send {@code body} back to back to {@code path} on {@code server}; after {@code warmUpMillis}
     * with logging as side a has it and as much as side b has it, the server flushes (unmeasured), then {@code pairs}
     * pairs of slices of {@code sliceMillis} are measured (a b, b a, a b, ...), then the server flushes again,
     * measured. Side a serves with logging off; side b with logging on, or off too when {@code calibrate}.
     */
    static Result run(ServerProcess server, String path, RequestBody body, int clients, int pairs, int sliceMillis,
                      int warmUpMillis, boolean calibrate) throws Exception {
        boolean[] logging = {false, !calibrate};
        try (var load = new LoadClients(new String[] {server.url()}, path, body, clients)) {
            for (boolean on : new boolean[] {logging[1], logging[0]}) {
                server.logging(on);
                Thread.sleep(warmUpMillis);
            }
            server.flush();
            var slices = new ArrayList<Slice>();
            for (int p = 0; p < pairs; p++) {
                for (int i = 0; i < 2; i++) {
                    boolean on = logging[p % 2 == 0 ? i : 1 - i];
                    server.logging(on);
                    Thread.sleep(20); // requests begun before the switch finish
                    var ticksBefore = server.threads();
                    var before = server.usage();
                    long r0 = load.answered(0);
                    long w0 = System.nanoTime();
                    Thread.sleep(sliceMillis);
                    long r1 = load.answered(0);
                    long w1 = System.nanoTime();
                    var spent = server.usage().minus(before);
                    var ticks = new TreeMap<>(server.threads());
                    ticksBefore.forEach((name, t) -> ticks.merge(name, -t, Long::sum));
                    slices.add(new Slice(on, r1 - r0, w1 - w0, spent, ticks));
                }
            }
            long failed = load.failed(0);
            load.stop();
            var before = server.usage();
            server.flush();
            var tail = server.usage().minus(before);
            server.logging(true);
            return new Result(slices, tail, failed);
        }
    }
}
