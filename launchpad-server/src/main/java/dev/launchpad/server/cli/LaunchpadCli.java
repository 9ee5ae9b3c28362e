package dev.launchpad.server.cli;

import dev.launchpad.server.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code launchpad} command line: {@code launchpad server}, {@code launchpad --version}. */
@Command(name = "launchpad",
        mixinStandardHelpOptions = true,
        versionProvider = LaunchpadCli.VersionProvider.class,
        description = "Launchpad: track, register, serve, monitor and govern machine-learning models.",
        subcommands = {ServerCommand.class, ServeCommand.class, ModelsCommand.class, AuditCommand.class,
                LineageCommand.class, MonitorCommand.class, AlertsCommand.class, CommandLine.HelpCommand.class})
public final class LaunchpadCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || !ServerCommand.keepsRunning()) {
            System.exit(code);
        }
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        var cli = new CommandLine(new LaunchpadCli());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof ServerClient.BadServerUrl) {
                command.getErr().println(command.getCommandSpec().qualifiedName(" ") + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        CommandGroups.missingSubcommand(spec);
    }

    /** Prints the build's version for {@code --version}. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"launchpad " + Version.current()};
        }
    }
}
