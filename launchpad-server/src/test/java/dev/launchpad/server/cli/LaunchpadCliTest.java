package dev.launchpad.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchpadCliTest {

    @Test
    void unknownOptionIsAClearErrorWithExitCode2() {
        var err = new StringWriter();
        var cli = LaunchpadCli.commandLine().setErr(new PrintWriter(err));
        assertThat(cli.execute("server", "--portt", "9")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown options: '--portt'").contains("Possible solutions: --port");
        assertThat(LaunchpadCli.commandLine().setErr(new PrintWriter(new StringWriter())).execute("nonsense"))
                .isEqualTo(2);
    }

    @Test
    void aCommandGroupWithoutItsSubcommandIsAUsageErrorNotASuccess() {
        for (var args : List.of(List.<String>of(), List.of("models"), List.of("audit"), List.of("monitor"),
                List.of("alerts"))) {
            var out = new StringWriter();
            var err = new StringWriter();
            var cli = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
            assertThat(cli.execute(args.toArray(String[]::new))).as("%s", args).isEqualTo(2);
            assertThat(err.toString()).as("%s", args).contains("Missing required subcommand")
                    .contains("Usage: launchpad" + (args.isEmpty() ? "" : " " + args.getFirst()));
            assertThat(out.toString()).as("%s", args).isEmpty();
        }
        var out = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(out)).execute("alerts", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: launchpad alerts").contains("incidents");
    }

    @Test
    void badPortValueIsRejected() {
        var err = new StringWriter();
        var cli = LaunchpadCli.commandLine().setErr(new PrintWriter(err));
        assertThat(cli.execute("server", "--port", "eighty")).isEqualTo(2);
        assertThat(err.toString()).contains("--port");
    }

    @Test
    void unsupportedDatabaseUrlIsAClearError() {
        assertThat(LaunchpadCli.commandLine().execute("server", "--port", "0", "--db", "jdbc:mysql://x/y"))
                .isEqualTo(2);
    }

    @Test
    void serveNeedsAModelUriThatNamesARegisteredModel(@TempDir Path home) {
        var err = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setErr(new PrintWriter(err)).execute("serve")).isEqualTo(2);
        assertThat(err.toString()).contains("MODEL_URI");
        for (var uri : new String[] {"models:/nope/1", "not-a-model-uri", "models:/nope@champion"}) {
            assertThat(LaunchpadCli.commandLine().execute("serve", uri, "--port", "0", "--grpc-port", "-1",
                    "--home", home.toString())).as(uri).isEqualTo(2);
        }
        assertThat(LaunchpadCli.commandLine().execute("serve", "models:/x/1", "--grpc-port", "-2")).isEqualTo(2);
    }

    @Test
    void theCliTakesCredentialsFromTheEnvironmentAsMlflowClientsDo() {
        assertThat(ServerClient.defaultAuthorization(java.util.Map.of())).isNull();
        assertThat(ServerClient.defaultAuthorization(java.util.Map.of("MLFLOW_TRACKING_TOKEN", "lp_a")))
                .isEqualTo("Bearer lp_a");
        assertThat(ServerClient.defaultAuthorization(java.util.Map.of("LAUNCHPAD_TOKEN", "lp_b",
                "MLFLOW_TRACKING_TOKEN", "lp_a"))).isEqualTo("Bearer lp_b");
        assertThat(ServerClient.defaultAuthorization(java.util.Map.of("MLFLOW_TRACKING_USERNAME", "vera",
                "MLFLOW_TRACKING_PASSWORD", "pw"))).isEqualTo("Basic dmVyYTpwdw==");
        assertThat(LaunchpadCli.commandLine().setErr(new PrintWriter(new StringWriter()))
                .execute("server", "--auth", "maybe", "--port", "0")).isEqualTo(2);
    }

    @Test
    void aServerUrlWithoutSchemeIsAClearErrorNotAStackTrace() {
        for (var args : List.of(List.of("monitor", "status", "--deployment", "d", "--server", "localhost:8080"),
                List.of("alerts", "list", "--server", "http://"),
                List.of("alerts", "list", "--server", "http://localhost:808080"), // no such port
                List.of("models", "approve", "fraud", "1", "-m", "ok", "--server", "ftp://host/"))) {
            var err = new StringWriter();
            assertThat(LaunchpadCli.commandLine().setErr(new PrintWriter(err)).execute(args.toArray(String[]::new)))
                    .as("%s", args).isEqualTo(2);
            assertThat(err.toString()).as("%s", args).contains("must be an http or https URL")
                    .contains(args.getFirst() + " " + args.get(1) + ":").doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void aBaselineFileLargerThanTheServerTakesIsRefusedBeforeItIsSent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var profile = dir.resolve("big.profile");
        try (var file = new java.io.RandomAccessFile(profile.toFile(), "rw")) {
            file.setLength(65L << 20); // sparse: no disk used
        }
        var err = new StringWriter();
        // (no server at that address: the refusal comes first)
        assertThat(LaunchpadCli.commandLine().setErr(new PrintWriter(err)).execute("monitor", "baseline", "--model", "m",
                "--version", "1", "--profile", profile.toString(), "--server", "http://127.0.0.1:9")).isEqualTo(2);
        assertThat(err.toString()).contains("a profile of at most " + (64L << 20));
    }

    @Test
    void monitorBaselineHasHelpThoughItsVersionOptionIsTheModels() {
        for (var flag : List.of("--help", "-h")) {
            var out = new StringWriter();
            assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(out)).execute("monitor", "baseline", flag))
                    .as(flag).isZero();
            assertThat(out.toString()).contains("--model=<model>", "--version=<version>", "--data=<data>");
        }
    }

    @Test
    void versionIsPrinted() {
        var out = new StringWriter();
        var cli = LaunchpadCli.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("launchpad ");
    }
}
