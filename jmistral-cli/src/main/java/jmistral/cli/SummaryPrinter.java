package jmistral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.Printable;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Renders {@link FileSummary}s as text (metadata list + aligned tensor table) or JSON. */
final class SummaryPrinter {
    /** Names (keys, tensors) from the file are escaped (control bytes) and cut to this many characters. */
    private static final int NAME_CHARS = 200;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final int maxItems;

    SummaryPrinter(int maxItems) {
        this.maxItems = maxItems;
    }

    void text(List<FileSummary> summaries, PrintWriter out) {
        for (FileSummary s : summaries) {
            out.println("file: " + s.file());
            out.println("format: " + s.format() + facts(s));
            out.println("metadata (" + s.metadata().size() + "):");
            int keyWidth = s.metadata().stream().mapToInt(m -> Printable.escape(m.key(), NAME_CHARS).length()).max().orElse(0);
            int typeWidth = s.metadata().stream().mapToInt(m -> m.type().length()).max().orElse(0);
            for (FileSummary.Meta m : s.metadata()) {
                out.println("  " + pad(Printable.escape(m.key(), NAME_CHARS), keyWidth) + "  " + pad(m.type(), typeWidth) + "  " + ValueText.format(m.value(), maxItems));
            }
            out.println("tensors (" + s.tensors().size() + ", " + s.totalTensorBytes() + " bytes; shape " + s.shapeOrder() + "):");
            tensorTable(s.tensors(), out);
            out.println();
        }
        out.flush();
    }

    private static String facts(FileSummary s) {
        if (s.facts().isEmpty()) return "";
        return s.facts().entrySet().stream().map(e -> e.getKey().replace('_', ' ') + " " + e.getValue())
                .collect(Collectors.joining(", ", ", ", ""));
    }

    private static void tensorTable(List<FileSummary.Tensor> tensors, PrintWriter out) {
        String[] head = {"NAME", "TYPE", "SHAPE", "OFFSET", "BYTES"};
        String[][] rows = new String[tensors.size()][];
        for (int i = 0; i < rows.length; i++) {
            FileSummary.Tensor t = tensors.get(i);
            rows[i] = new String[]{Printable.escape(t.name(), NAME_CHARS), t.type(), shape(t.shape()), Long.toString(t.offset()), Long.toString(t.bytes())};
        }
        int[] w = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            w[c] = head[c].length();
            for (String[] r : rows) w[c] = Math.max(w[c], r[c].length());
        }
        out.println("  " + pad(head[0], w[0]) + "  " + pad(head[1], w[1]) + "  " + pad(head[2], w[2])
                + "  " + padLeft(head[3], w[3]) + "  " + padLeft(head[4], w[4]));
        for (String[] r : rows) {
            out.println("  " + pad(r[0], w[0]) + "  " + pad(r[1], w[1]) + "  " + pad(r[2], w[2])
                    + "  " + padLeft(r[3], w[3]) + "  " + padLeft(r[4], w[4]));
        }
    }

    static String shape(long[] shape) {
        return shape.length == 0 ? "scalar" : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(" x "));
    }

    void json(List<FileSummary> summaries, PrintWriter out) throws java.io.IOException {
        ArrayNode files = JSON.createArrayNode();
        for (FileSummary s : summaries) {
            ObjectNode f = files.addObject();
            f.put("file", s.file().toString());
            f.put("format", s.format());
            s.facts().forEach((k, v) -> f.putPOJO(k, v));
            f.put("shape_order", s.shapeOrder());
            ObjectNode meta = f.putObject("metadata");
            for (FileSummary.Meta m : s.metadata()) {
                ObjectNode e = meta.putObject(m.key());
                e.put("type", m.type());
                int count = ValueText.count(m.value());
                if (count < 0) {
                    e.putPOJO("value", m.value() instanceof String str ? ValueText.cut(str) : m.value());
                } else {
                    e.put("count", count);
                    e.putPOJO("head", ValueText.head(m.value(), maxItems));
                }
            }
            ArrayNode ts = f.putArray("tensors");
            for (FileSummary.Tensor t : s.tensors()) {
                ObjectNode e = ts.addObject();
                e.put("name", t.name());
                e.put("type", t.type());
                ArrayNode shape = e.putArray("shape");
                for (long d : t.shape()) shape.add(d);
                e.put("offset", t.offset());
                e.put("bytes", t.bytes());
            }
        }
        out.println(JSON.writeValueAsString(files));
        out.flush();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }
}
