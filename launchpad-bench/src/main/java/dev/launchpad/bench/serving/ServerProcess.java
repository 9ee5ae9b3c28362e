package dev.launchpad.bench.serving;

import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.cli.LaunchpadCli;
import dev.launchpad.server.monitor.Monitoring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Launchpad server in a JVM of its own, serving one model under a deployment, so that a benchmark measures
 * each server's CPU, garbage collection and JIT apart from the load generator's and from another server's.
 * The parent talks to it over the child's standard input and output: {@code usage} answers with what the
 * server has spent so far, {@code threads} its CPU by thread, {@code flush} flushes its monitoring, {@code logging on}
 * and {@code logging off} switch its prediction logging, {@code quit} stops it.
 */
final class ServerProcess implements AutoCloseable {
    private static final String REPLY = "launchpad-bench ";

    /** What a server process has spent since it started: CPU (ns), of which its monitoring threads, and GC. */
    record Usage(long cpuNanos, long monitoringCpuNanos, long gcCount, long gcMillis, long accepted, long dropped,
                 long unprofiled) {
        Usage plus(Usage o) {
            return new Usage(cpuNanos + o.cpuNanos, monitoringCpuNanos + o.monitoringCpuNanos, gcCount + o.gcCount,
                    gcMillis + o.gcMillis, accepted + o.accepted, dropped + o.dropped, unprofiled + o.unprofiled);
        }

        Usage minus(Usage o) {
            return new Usage(cpuNanos - o.cpuNanos, monitoringCpuNanos - o.monitoringCpuNanos, gcCount - o.gcCount,
                    gcMillis - o.gcMillis, accepted - o.accepted, dropped - o.dropped, unprofiled - o.unprofiled);
        }
    }

    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final String url;

    private ServerProcess(Process process) throws Exception {
        this.process = process;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("server-process-reader").start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(REPLY)) {
                        replies.add(line.substring(REPLY.length()));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        this.url = reply(120);
    }

    /**
     * Starts a server in a new JVM with this JVM's options (plus {@code extraOptions}), prediction logging
     * {@code monitoring} on or off, and {@code model} deployed as {@code mlp}; returns once it serves.
     */
    static ServerProcess start(Path home, Path model, boolean monitoring, List<String> extraOptions) throws Exception {
        Files.createDirectories(home);
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (var option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-agentlib") && !option.startsWith("-javaagent")) {
                command.add(option);
            }
        }
        command.addAll(extraOptions);
        // native libraries (ONNX Runtime, SQLite) are unpacked into the home, so that they go with it even when the
        // server is killed
        command.add("-Djava.io.tmpdir=" + Files.createDirectories(home.resolve("tmp")));
        command.add("-D" + Monitoring.LOGGING_PROPERTY + "=" + (monitoring ? "on" : "off"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(),
                home.toString(), model.toString()));
        var process = new ProcessBuilder(command).redirectError(home.resolve("server.log").toFile()).start();
        try {
            return new ServerProcess(process);
        } catch (RuntimeException e) {
            process.destroyForcibly(); // it never came up: see server.log in its home
            throw e;
        }
    }

    String url() {
        return url;
    }

    Usage usage() {
        commands.println("usage");
        var f = reply(60).split(" ");
        return new Usage(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
    }

    /** Turns the server's prediction logging on or off for the requests that start from now on. */
    void logging(boolean on) {
        commands.println(on ? "logging on" : "logging off");
        reply(60);
    }

    /** Profiles and stores what the server's monitoring holds; returns once it is done. */
    void flush() {
        commands.println("flush");
        reply(120);
    }

    @Override
    public void close() throws Exception {
        commands.println("quit");
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private String reply(int seconds) {
        try {
            for (int waited = 0; waited < seconds; waited++) {
                var line = replies.poll(1, TimeUnit.SECONDS);
                if (line != null) {
                    return line;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the server process ended with exit code " + process.exitValue());
                }
            }
            throw new IllegalStateException("the server process did not answer within " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The child: {@code <home> <model.onnx>}; prediction logging as {@code -Dlaunchpad.monitoring} says. */
    public static void main(String[] args) throws Exception {
        var home = Path.of(args[0]);
        var config = new ServerConfig("127.0.0.1", 0, home, ServerConfig.sqliteUrl(home), home.resolve("artifacts").toString());
        var out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        try (var server = Launchpad.start(config)) {
            deploy(server.url(), Path.of(args[1]));
            out.println(REPLY + server.url());
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                var monitoring = server.monitoring().ingestor();
                switch (line) {
                    case "flush" -> {
                        monitoring.flushNow();
                        out.println(REPLY + "flushed");
                    }
                    case "usage" -> {
                        long monitoringCpu = monitoringThreadsCpu().values().stream().mapToLong(Long::longValue).sum();
                        long gcCount = 0;
                        long gcMillis = 0;
                        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                            gcCount += Math.max(0, gc.getCollectionCount());
                            gcMillis += Math.max(0, gc.getCollectionTime());
                        }
                        var stats = monitoring.stats();
                        out.println(REPLY + os.getProcessCpuTime() + " " + monitoringCpu + " " + gcCount + " " + gcMillis
                                + " " + stats.accepted() + " " + stats.dropped() + " " + stats.unprofiled());
                    }
                    case "threads" -> out.println(REPLY + threadTicks());
                    case "logging on", "logging off" -> {
                        server.monitoring().logging(line.equals("logging on"));
                        out.println(REPLY + line);
                    }
                    default -> out.println(REPLY + "unknown command " + line);
                }
            }
        }
        System.exit(0);
    }

    /**
     * CPU of this process's live native threads (Java, GC, JIT, ONNX Runtime) from {@code /proc/self/task}, summed
     * by name with numbers left out ({@code qtp123-45} and {@code qtp123-46} are {@code qtp#-#}), in clock ticks;
     * what exited threads spent is under {@code (exited)}; the monitoring threads also under their own Java names (in
     * the same unit). Empty where there is no {@code /proc}.
     */
    private static String threadTicks() throws IOException {
        var tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return "";
        }
        var byName = new java.util.TreeMap<String, Long>();
        long live = 0;
        try (var dirs = Files.list(tasks)) {
            for (var task : (Iterable<Path>) dirs::iterator) {
                try {
                    var name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "#");
                    long ticks = ticks(Files.readString(task.resolve("stat")));
                    byName.merge(name, ticks, Long::sum);
                    live += ticks;
                } catch (IOException exited) {
                    // the thread ended while listed
                }
            }
        }
        byName.put("(exited)", Math.max(0, ticks(Files.readString(Path.of("/proc/self/stat"))) - live));
        // the kernel keeps 15 characters of a name: the monitoring threads apart, by their Java names
        monitoringThreadsCpu().forEach((name, nanos) -> byName.merge(name, nanos / 10_000_000, Long::sum));
        var line = new StringBuilder();
        byName.forEach((name, ticks) -> line.append(line.isEmpty() ? "" : "\t").append(name).append('=').append(ticks));
        return line.toString();
    }

    /** CPU (ns) of each live monitoring thread ({@code launchpad-monitor-*}) by its Java name. */
    private static java.util.Map<String, Long> monitoringThreadsCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        var cpu = new java.util.TreeMap<String, Long>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("launchpad-monitor")) {
                cpu.merge(info.getThreadName(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
            }
        }
        return cpu;
    }

    /** utime + stime of a {@code stat} line (fields 14 and 15, counted after the command's closing parenthesis). */
    private static long ticks(String stat) {
        var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** CPU ticks of the server's threads by name so far (see the child's {@code threads} command). */
    java.util.Map<String, Long> threads() {
        commands.println("threads");
        var map = new java.util.TreeMap<String, Long>();
        for (var entry : reply(60).split("\t")) {
            int eq = entry.lastIndexOf('=');
            if (eq > 0) {
                map.put(entry.substring(0, eq), Long.parseLong(entry.substring(eq + 1)));
            }
        }
        return map;
    }

    /** Registers {@code model} as {@code mlp} with its signature and deploys version 1 under the same name. */
    private static void deploy(String url, Path model) throws Exception {
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", "mlp", "--file", model.toString(), "--signature-from-model",
                        "--server", url);
        if (code != 0) {
            throw new IllegalStateException(err.toString());
        }
        try (var client = HttpClient.newHttpClient()) {
            var response = client.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/deployments"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                            .ofString("{\"name\":\"mlp\",\"model\":\"mlp\",\"version\":\"1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("deploying mlp: " + response.body());
            }
        }
    }
}
