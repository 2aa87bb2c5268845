package jmistral.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the {@code jmistral} command line: exit code and what it printed (test fixture). */
record CliRun(int code, String out, String err) {

    /** Runs {@link Main#commandLine()} with {@code args}, capturing stdout and stderr. */
    static CliRun run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The ids of each "[LABEL] 1,2,3" line on stderr, in order. */
    List<int[]> ids(String label) {
        List<int[]> all = new ArrayList<>();
        for (String line : err.split("\n")) {
            if (!line.startsWith("[" + label + "] ") && !line.equals("[" + label + "] ")) continue;
            String s = line.substring(label.length() + 3).strip();
            all.add(s.isEmpty() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray());
        }
        return all;
    }
}
