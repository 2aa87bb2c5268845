package jmistral.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from a Prometheus text exposition (what a scraper sees). */
public final class Prometheus {
    private Prometheus() {}

    /** The value of the unlabelled (or first labelled) sample {@code name}; fails if there is none. */
    public static double value(String exposition, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        if (!m.find()) throw new AssertionError("no sample " + name + " in\n" + exposition);
        return Double.parseDouble(m.group(1));
    }
}
