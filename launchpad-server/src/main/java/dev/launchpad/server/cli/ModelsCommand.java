package dev.launchpad.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code launchpad models ...}: work with the model registry of a running server. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Work with the model registry of a Launchpad server.",
        subcommands = {ModelsRegisterCommand.class, ModelsApprovalCommands.Show.class,
                ModelsApprovalCommands.Approve.class, ModelsApprovalCommands.Reject.class})
public final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandGroups.missingSubcommand(spec);
    }
}
