package jmistral.server;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server (stand-in engine) in a child JVM that {@link ListenerSurvivesDescriptorExhaustionTest} starts
 * under a small {@code ulimit -n}. Prints {@code port N}, then obeys lines on stdin: {@code exhaust} opens
 * /dev/null until the process has no descriptor left, {@code free} closes them again, {@code quit} exits.
 */
public final class DescriptorExhaustionServer {
    public static void main(String[] args) throws Exception {
        JmistralServer server = new JmistralServer(ServerOptions.loopback(0).withConnectionLimits(Duration.ofSeconds(30),
                ServerOptions.DEFAULT_MAX_CONNECTIONS), new EchoEngine()).start();
        System.out.println("port " + server.port());
        List<FileInputStream> held = new ArrayList<>();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = commands.readLine()) != null; ) {
            switch (line.trim()) {
                case "exhaust" -> {
                    try {
                        while (true) held.add(new FileInputStream("/dev/null"));
                    } catch (IOException expected) {
                        System.out.println("exhausted " + held.size());
                    }
                }
                case "free" -> {
                    for (FileInputStream f : held) f.close();
                    held.clear();
                    System.out.println("freed");
                }
                case "quit" -> {
                    server.close();
                    System.exit(0); // Helidon's listener thread that died at EMFILE never ends on its own
                }
                default -> System.out.println("unknown command " + line);
            }
        }
        System.exit(0);
    }
}
