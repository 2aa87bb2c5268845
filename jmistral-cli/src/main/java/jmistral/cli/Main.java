package jmistral.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jmistral} command: one subcommand per job. */
@Command(name = "jmistral",
        mixinStandardHelpOptions = true,
        version = "jmistral 0.1.0",
        description = "Run Mistral Small 3.2 24B Instruct in pure Java.",
        subcommands = {
                CommandLine.HelpCommand.class,
                InspectCommand.class,
                PullCommand.class,
                ListCommand.class,
                RmCommand.class,
                TokenizeCommand.class,
                SynthCommand.class,
                RunCommand.class,
                ChatCommand.class,
                GenerateCommand.class,
                BenchCommand.class,
                QuantizeCommand.class,
                ServeCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        LibraryLogging.configure("1".equals(System.getenv("JMISTRAL_VERBOSE")) || java.util.Arrays.asList(args).contains("--verbose"));
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }
}
