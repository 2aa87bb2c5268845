package jmistral.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile PDFs written by hand from one template (a page with text, a rectangle, an image and a form XObject
 * that draws a second image), each with one part replaced: a broken or missing cross-reference table, a page
 * count that lies, a page tree that loops, nesting thousands deep, a form that draws itself, absurd page
 * boxes, a huge image inside the form, a content-stream deflate bomb; plus truncations and flipped bytes.
 */
final class PdfCorruptions {
    record Case(String name, byte[] data) {}

    private static final String[] OBJECTS = {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids {KIDS} /Count {COUNT} >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox {MEDIABOX} /Resources << /Font << /F1 5 0 R >> "
                    + "/XObject << /Fm1 6 0 R /Im1 7 0 R >> >> /Contents 4 0 R {PAGE_EXTRA}>>",
            "STREAM{CONTENT_DICT}|DATA|{CONTENT}",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "STREAM<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /Im2 8 0 R /Fm1 {FORM_SELF} >> >> >>"
                    + "|DATA|{FORM_CONTENT}",
            "STREAM<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8 >>"
                    + "|DATA|\u00ff\u0000\u0000\u0000\u00ff\u0000\u0000\u0000\u00ff\u00ff\u00ff\u00ff",
            "STREAM<< /Type /XObject /Subtype /Image /Width {IM2_W} /Height {IM2_H} /ColorSpace /DeviceGray /BitsPerComponent 8 >>"
                    + "|DATA|\u0080\u0080\u0080\u0080",
    };

    private static final Map<String, String> DEFAULTS = Map.of(
            "{KIDS}", "[3 0 R]", "{COUNT}", "1", "{MEDIABOX}", "[0 0 200 100]", "{PAGE_EXTRA}", "",
            "{CONTENT_DICT}", "<< >>",
            "{CONTENT}", "BT /F1 12 Tf 10 50 Td (Hello) Tj ET 0 0 1 rg 10 10 50 20 re f q 20 0 0 20 100 10 cm /Im1 Do Q q /Fm1 Do Q",
            "{FORM_SELF}", "9 0 R", "{FORM_CONTENT}", "q 10 0 0 10 0 0 cm /Im2 Do Q 1 0 0 rg 0 0 5 5 re f",
            "{IM2_W}", "2", "{IM2_H}", "2");

    private final Random random;
    private final Mutations m;

    PdfCorruptions(Random random) {
        this.random = random;
        this.m = new Mutations(random);
    }

    /** The template with no part replaced (a valid one-page PDF). */
    static byte[] valid() {
        return pdf(Map.of(), true);
    }

    List<Case> cases(int n) {
        byte[] valid = valid();
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (i % 12) {
                case 0 -> {
                    int cut = random.nextInt(valid.length);
                    cases.add(new Case("pdf truncated to " + cut, Mutations.truncate(valid, cut)));
                }
                case 1 -> cases.add(new Case("pdf bytes flipped #" + i, m.flip(valid, 0, valid.length, 1 + random.nextInt(20))));
                case 2 -> cases.add(new Case("pdf with a broken xref #" + i, random.nextBoolean() ? pdf(Map.of(), false)
                        : brokenXref(valid)));
                case 3 -> {
                    String count = pick("0", "-1", "2147483647", "10001", "2", "1.5", "(x)", "99999999999999999999");
                    cases.add(new Case("pdf /Count " + count, pdf(Map.of("{COUNT}", count), true)));
                }
                case 4 -> {
                    String kids = pick("[2 0 R]", "[3 0 R 2 0 R]", "[1 0 R]", "[4 0 R]", "[]", "3 0 R", "[99 0 R]", "[3 0 R 3 0 R 3 0 R]");
                    cases.add(new Case("pdf /Kids " + kids, pdf(Map.of("{KIDS}", kids, "{COUNT}", pick("1", "3")), true)));
                }
                case 5 -> {
                    int depth = pickInt(1000, 20_000, 200_000);
                    String nested = random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                            : "<< /A ".repeat(depth) + "1" + " >>".repeat(depth);
                    cases.add(new Case("pdf nested " + depth + " deep", pdf(Map.of("{PAGE_EXTRA}", "/Deep " + nested + " "), true)));
                }
                case 6 -> cases.add(new Case("pdf form drawing itself", pdf(Map.of("{FORM_SELF}", "6 0 R",
                        "{FORM_CONTENT}", "q 0.9 0 0 0.9 1 1 cm /Fm1 Do Q /Im2 Do"), true)));
                case 7 -> {
                    String box = pick("[0 0 1e30 1e30]", "[0 0 0 0]", "[0 0 -5 -5]", "[0 0 20000 10]", "[0 0 14400 1]",
                            "[0 0 (x) 5]", "[0 0 3.4e38 3.4e38]", "[0 0 1 99999999]", "[1 2 3]", "[-1e20 -1e20 1e20 1e20]", "7");
                    cases.add(new Case("pdf /MediaBox " + box, pdf(Map.of("{MEDIABOX}", box), true)));
                }
                case 8 -> {
                    String w = pick("40000", "100000", "-4", "0", "2147483647"), h = pick("40000", "2", "2147483647");
                    cases.add(new Case("pdf form image " + w + "x" + h, pdf(Map.of("{IM2_W}", w, "{IM2_H}", h), true)));
                }
                case 9 -> {
                    // a content stream that inflates to far more than it is (a deflate bomb: one number token of
                    // 300 MB digits, which PDFBox holds whole (more than a 512 MB heap takes), or 16 MB of blanks), or lies about its filter
                    int kind = digitBomb == null ? 2 : random.nextInt(2);   // the slow 300 MB token once per run
                    String stream = new String(kind == 2 ? digitBomb() : ImageCorruptions.deflate(new byte[16 << 20]), StandardCharsets.ISO_8859_1);
                    cases.add(new Case(kind == 0 ? "pdf content with a lying filter" : kind == 1 ? "pdf content deflate bomb" : "pdf content 300 MB number",
                            pdf(Map.of("{CONTENT_DICT}", kind == 0 ? "<< /Filter /DCTDecode >>" : "<< /Filter /FlateDecode >>", "{CONTENT}", stream), true)));
                }
                case 10 -> {
                    String op = pick("1e38 0 0 1e38 0 0 cm /Im1 Do", "0 0 0 0 0 0 cm /Fm1 Do", "/Nope Do", "Q Q Q Q q", "1 2 3 4 5 6 7 8 re f",
                            "BT /F1 1e30 Tf (x) Tj ET", "BT /F9 12 Tf (x) Tj ET", "(unterminated", "<< /A [ 1 2 ] >> BI /W 99999 /H 99999 /BPC 8 /CS /G ID x EI");
                    cases.add(new Case("pdf content '" + op + "'", pdf(Map.of("{CONTENT}", op), true)));
                }
                default -> cases.add(new Case("pdf garbage after the header #" + i, concat("%PDF-1.7\n".getBytes(StandardCharsets.ISO_8859_1),
                        m.flip(new byte[200 + random.nextInt(400)], 0, 200, 150))));
            }
        }
        return cases;
    }

    private byte[] digitBomb;

    /** 300 million '0' characters deflated (made once: about 300 KB). */
    private byte[] digitBomb() {
        if (digitBomb == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var z = new java.util.zip.DeflaterOutputStream(out, new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED), 1 << 16)) {
                byte[] digits = new byte[1 << 20];
                java.util.Arrays.fill(digits, (byte) '0');
                for (int i = 0; i < 300; i++) z.write(digits);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            digitBomb = out.toByteArray();
        }
        return digitBomb;
    }

    private byte[] brokenXref(byte[] valid) {
        String s = new String(valid, StandardCharsets.ISO_8859_1);
        int xref = s.lastIndexOf("xref");
        return switch (random.nextInt(3)) {
            case 0 -> s.replace("startxref\n" + xref, "startxref\n" + (xref + 7)).getBytes(StandardCharsets.ISO_8859_1);
            case 1 -> s.replaceAll("0000000(\\d)", "9999999$1").getBytes(StandardCharsets.ISO_8859_1);
            default -> s.replace("/Size 10", "/Size 2147483647").getBytes(StandardCharsets.ISO_8859_1);
        };
    }

    /** The template PDF with placeholders replaced; with {@code xref} false, no cross-reference table at all. */
    static byte[] pdf(Map<String, String> parts, boolean xref) {
        Map<String, String> all = new HashMap<>(DEFAULTS);
        all.putAll(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < OBJECTS.length + 1; i++) {
            offsets.add(out.size());
            String body = i < OBJECTS.length ? OBJECTS[i] : "<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] >>";  // 9: an empty form
            for (var e : all.entrySet()) body = body.replace(e.getKey(), e.getValue());
            write(out, (i + 1) + " 0 obj\n");
            if (body.startsWith("STREAM")) {
                int split = body.indexOf("|DATA|");
                String dict = body.substring("STREAM".length(), split), data = body.substring(split + "|DATA|".length());
                write(out, dict.substring(0, dict.length() - 2) + " /Length " + data.length() + " >>\nstream\n" + data + "\nendstream\nendobj\n");
            } else {
                write(out, body + "\nendobj\n");
            }
        }
        if (!xref) {
            write(out, "trailer\n<< /Root 1 0 R >>\n%%EOF\n");
            return out.toByteArray();
        }
        int xrefAt = out.size();
        StringBuilder x = new StringBuilder("xref\n0 " + (offsets.size() + 1) + "\n0000000000 65535 f \n");
        for (int o : offsets) x.append(String.format("%010d 00000 n \n", o));
        x.append("trailer\n<< /Size ").append(offsets.size() + 1).append(" /Root 1 0 R >>\nstartxref\n").append(xrefAt).append("\n%%EOF\n");
        write(out, x.toString());
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private int pickInt(int... options) {
        return options[random.nextInt(options.length)];
    }
}
