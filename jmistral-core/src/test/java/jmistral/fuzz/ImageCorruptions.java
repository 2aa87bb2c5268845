package jmistral.fuzz;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Corrupted PNG and JPEG data: hand-built PNGs with absurd headers (sizes, bit depths, colour types,
 * interlacing), broken chunks (lengths, CRCs, missing palettes, garbage or short image data, compressed-text
 * bombs), and valid PNGs and JPEGs from ImageIO with truncations, flipped bytes and absurd frame sizes.
 */
final class ImageCorruptions {
    record Case(String name, byte[] data) {}

    private final Random random;
    private final Mutations m;

    ImageCorruptions(Random random) {
        this.random = random;
        this.m = new Mutations(random);
    }

    /** A valid image of the given ImageIO format ("png", "jpeg") with random pixels. */
    byte[] valid(String format, int w, int h, int type) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, random.nextInt());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no ImageIO writer for " + format);
        return out.toByteArray();
    }

    List<Case> png(int n) throws IOException {
        byte[] rgb = valid("png", 40, 30, BufferedImage.TYPE_INT_RGB), gray = valid("png", 33, 17, BufferedImage.TYPE_USHORT_GRAY);
        List<Case> cases = new ArrayList<>();
        int[][] sizes = {{0, 5}, {5, 0}, {-1, -1}, {65_536, 1}, {1, 49_999_999}, {50_000_000, 1}, {100_000, 100_000},
                {3000, 3000}, {65_535, 700}, {1, 1}};
        int[][] depthAndType = {{8, 2}, {16, 6}, {1, 0}, {3, 0}, {7, 2}, {32, 2}, {8, 1}, {8, 5}, {8, 7}, {8, 255}, {4, 3}, {16, 3}, {8, 3}};
        for (int i = 0; i < n; i++) {
            switch (i % 8) {
                case 0 -> {
                    int[] s = sizes[random.nextInt(sizes.length)];
                    int[] dt = depthAndType[random.nextInt(depthAndType.length)];
                    cases.add(new Case("png " + s[0] + "x" + s[1] + " depth " + dt[0] + " type " + dt[1] + " short data",
                            png(s[0], s[1], dt[0], dt[1], random.nextInt(3), rows(random.nextInt(64)))));
                }
                case 1 -> {
                    int[] dt = depthAndType[random.nextInt(depthAndType.length)];
                    byte[] idat = switch (random.nextInt(4)) {
                        case 0 -> randomBytes(1 + random.nextInt(200));                          // not zlib
                        case 1 -> deflate(randomBytes(2000));                                      // bad filter bytes
                        case 2 -> Mutations.truncate(deflate(new byte[40 * 30 * 8 + 30]), 20);    // cut deflate stream
                        default -> deflate(new byte[1 << 20]);                                      // far more rows than needed
                    };
                    cases.add(new Case("png 40x30 depth " + dt[0] + " type " + dt[1] + " broken IDAT #" + i,
                            png(40, 30, dt[0], dt[1], random.nextInt(2), idat)));
                }
                case 2 -> {
                    int cut = random.nextInt(rgb.length);
                    cases.add(new Case("png truncated to " + cut, Mutations.truncate(rgb, cut)));
                }
                case 3 -> cases.add(new Case("png bytes flipped #" + i, m.flip(random.nextBoolean() ? rgb : gray, 8, 60, 1 + random.nextInt(4))));
                case 4 -> {
                    // a chunk length field (after the signature: IHDR's, or the first IDAT's at 33) set absurd
                    int at = random.nextBoolean() ? 8 : 33;
                    long v = Mutations.ABSURD[random.nextInt(Mutations.ABSURD.length)];
                    cases.add(new Case("png chunk length at " + at + " = " + v, Mutations.put(rgb, at, 4, v, ByteOrder.BIG_ENDIAN)));
                }
                case 5 -> cases.add(new Case("png extra chunks #" + i, pngWithChunk(random.nextInt(5))));
                case 6 -> cases.add(new Case("png bytes flipped anywhere #" + i, m.flip(rgb, 8, rgb.length, 1 + random.nextInt(16))));
                default -> cases.add(new Case("png random garbage after the signature #" + i,
                        concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, randomBytes(random.nextInt(300)))));
            }
        }
        return cases;
    }

    List<Case> jpeg(int n) throws IOException {
        byte[] jpg = valid("jpeg", 64, 48, BufferedImage.TYPE_INT_RGB);
        byte[] gray = valid("jpeg", 31, 9, BufferedImage.TYPE_BYTE_GRAY);
        int sof = indexOf(jpg, (byte) 0xFF, (byte) 0xC0);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (i % 6) {
                case 0 -> {
                    int cut = random.nextInt(jpg.length);
                    cases.add(new Case("jpeg truncated to " + cut, Mutations.truncate(jpg, cut)));
                }
                case 1 -> {
                    // SOF0: FF C0, length(2), precision(1), height(2), width(2), components(1)
                    int h = pickSide(), w = pickSide();
                    byte[] d = jpg.clone();
                    d[sof + 5] = (byte) (h >> 8); d[sof + 6] = (byte) h; d[sof + 7] = (byte) (w >> 8); d[sof + 8] = (byte) w;
                    cases.add(new Case("jpeg frame " + w + "x" + h, d));
                }
                case 2 -> {
                    byte[] d = jpg.clone();
                    int field = random.nextInt(4);
                    if (field == 0) d[sof + 4] = (byte) pickOf(0, 1, 12, 16, 255);        // precision
                    else if (field == 1) d[sof + 9] = (byte) pickOf(0, 2, 4, 5, 255);   // component count
                    else if (field == 2) { d[sof + 2] = (byte) 0xFF; d[sof + 3] = (byte) 0xFF; }   // segment length
                    else d[sof + 11] = (byte) pickOf(0, 0x05, 0x50, 0xFF);             // sampling factors
                    cases.add(new Case("jpeg SOF field " + field + " corrupt #" + i, d));
                }
                case 3 -> cases.add(new Case("jpeg header bytes flipped #" + i, m.flip(random.nextBoolean() ? jpg : gray, 2, sof + 20, 1 + random.nextInt(6))));
                case 4 -> cases.add(new Case("jpeg scan bytes flipped #" + i, m.flip(jpg, sof + 20, jpg.length, 1 + random.nextInt(40))));
                default -> cases.add(new Case("jpeg segment soup #" + i, jpegSoup()));
            }
        }
        return cases;
    }

    private int pickSide() {
        return pickOf(0, 1, 65_535, 65_500, 7071, 40_000);
    }

    private int pickOf(int... values) {
        return values[random.nextInt(values.length)];
    }

    /** SOI, then random marker segments (random lengths and contents), maybe an EOI. */
    private byte[] jpegSoup() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF); out.write(0xD8);
        int segments = 1 + random.nextInt(6);
        for (int s = 0; s < segments; s++) {
            out.write(0xFF);
            out.write(pickOf(0xC0, 0xC2, 0xC4, 0xDB, 0xDA, 0xDD, 0xE0, 0xE1, 0xEE, 0xFE, 0xC1, 0xCF));
            int len = random.nextInt(5) == 0 ? 0xFFFF : 2 + random.nextInt(40);
            out.write(len >> 8); out.write(len);
            out.writeBytes(randomBytes(Math.min(len, 60)));
        }
        if (random.nextBoolean()) { out.write(0xFF); out.write(0xD9); }
        return out.toByteArray();
    }

    /** A valid 8x8 RGB PNG carrying one odd chunk before its image data. */
    private byte[] pngWithChunk(int which) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(8, 8, 8, which == 3 ? 3 : 2, 0));
        switch (which) {
            case 0 -> chunk(out, "zTXt", concat("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1), deflate(new byte[32 << 20])));
            case 1 -> chunk(out, "iCCP", concat("icc\0\0".getBytes(StandardCharsets.ISO_8859_1), deflate(randomBytes(500))));
            case 2 -> chunk(out, "tRNS", randomBytes(300));
            case 3 -> chunk(out, "PLTE", randomBytes(3 * (1 + random.nextInt(300))));   // palette of a wrong size, maybe
            default -> chunk(out, "sPLT", randomBytes(100));
        }
        chunk(out, "IDAT", deflate(new byte[8 * (1 + 8 * 3)]));
        chunk(out, "IEND", new byte[0]);
        return b.toByteArray();
    }

    /** A PNG with the given header fields and one IDAT chunk holding {@code idat}. */
    static byte[] png(int w, int h, int depth, int colorType, int interlace, byte[] idat) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr(w, h, depth, colorType, interlace));
        if (colorType == 3) chunk(out, "PLTE", new byte[3 * 16]);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return b.toByteArray();
    }

    private static byte[] ihdr(int w, int h, int depth, int colorType, int interlace) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(w); d.writeInt(h); d.write(depth); d.write(colorType); d.write(0); d.write(0); d.write(interlace);
        return b.toByteArray();
    }

    static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    /** Compressed zero-filtered rows of zeros, {@code rows} kilobytes of them. */
    private static byte[] rows(int kilobytes) {
        return deflate(new byte[kilobytes << 10]);
    }

    static byte[] deflate(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
            z.write(raw);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(byte[] data, byte a, byte b) {
        for (int i = 0; i + 1 < data.length; i++) if (data[i] == a && data[i + 1] == b) return i;
        throw new IllegalStateException("marker not found");
    }
}
