package dev.launchpad.server.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

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
    void versionIsPrinted() {
        var out = new StringWriter();
        var cli = LaunchpadCli.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).startsWith("launchpad ");
    }
}
