package dev.launchpad.server.cli;

import picocli.CommandLine;

/**
 * What a command that only groups others ({@code launchpad}, {@code launchpad models}, ...) does when it is run
 * without one of them: a usage error, so that a script that lost its subcommand fails instead of passing.
 */
final class CommandGroups {
    private CommandGroups() {
    }

    /** Refuses the run: picocli prints the message and the group's usage to standard error and exits with 2. */
    static void missingSubcommand(CommandLine.Model.CommandSpec spec) {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing required subcommand: one of " + String.join(", ", spec.subcommands().keySet()));
    }
}
