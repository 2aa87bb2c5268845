package jmistral.image;

/**
 * EXIF orientation of a JPEG (tag 0x0112 in IFD0 of the APP1 "Exif" segment) and how to undo it.
 * Values 1..8 as in the EXIF spec; anything missing or malformed counts as 1 (as stored).
 *
 * <p>Note: mistral-common itself does not apply EXIF orientation; we do (like phone galleries and
 * Pillow's {@code ImageOps.exif_transpose}) so that photos reach the model upright. It can be turned
 * off with {@link ImageDecoder#withExifOrientation(boolean)} for strict parity.
 */
final class ExifOrientation {
    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {}

    /** The orientation stored in a JPEG file, 1 if none. Never throws on bad data. */
    static int readFromJpeg(byte[] jpeg) {
        try {
            return scanSegments(jpeg);
        } catch (IndexOutOfBoundsException malformed) {
            return 1;
        }
    }

    private static int scanSegments(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) return 1;
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xFF) != 0xFF) return 1;
            int marker = b[p + 1] & 0xFF;
            if (marker == 0xFF) { p++; continue; }                  // fill byte
            if (marker == 0xDA || marker == 0xD9) return 1;         // start of scan / end: no Exif
            int len = u16(b, p + 2, true);
            if (len < 2) return 1;
            if (marker == 0xE1 && len >= 8 && isExifHeader(b, p + 4)) {
                int orientation = readTiff(b, p + 10, p + 2 + len);
                if (orientation != 0) return orientation;
            }
            p += 2 + len;
        }
        return 1;
    }

    private static boolean isExifHeader(byte[] b, int p) {
        return b[p] == 'E' && b[p + 1] == 'x' && b[p + 2] == 'i' && b[p + 3] == 'f' && b[p + 4] == 0 && b[p + 5] == 0;
    }

    /** Reads the orientation from a TIFF structure at [start, end); 0 when absent. */
    private static int readTiff(byte[] b, int start, int end) {
        boolean bigEndian;
        if (b[start] == 'M' && b[start + 1] == 'M') bigEndian = true;
        else if (b[start] == 'I' && b[start + 1] == 'I') bigEndian = false;
        else return 0;
        if (u16(b, start + 2, bigEndian) != 42) return 0;
        long ifd = u32(b, start + 4, bigEndian);
        if (ifd < 8 || start + ifd + 2 > end) return 0;
        int p = start + (int) ifd;
        int entries = u16(b, p, bigEndian);
        for (int i = 0; i < entries; i++) {
            int e = p + 2 + i * 12;
            if (e + 12 > end) return 0;
            if (u16(b, e, bigEndian) == TAG_ORIENTATION) {
                int type = u16(b, e + 2, bigEndian);   // 3 = SHORT: value in the first 2 bytes
                int value = type == 3 ? u16(b, e + 8, bigEndian) : (int) u32(b, e + 8, bigEndian);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int p, boolean bigEndian) {
        int x = b[p] & 0xFF, y = b[p + 1] & 0xFF;
        return bigEndian ? (x << 8) | y : (y << 8) | x;
    }

    private static long u32(byte[] b, int p, boolean bigEndian) {
        long hi = u16(b, bigEndian ? p : p + 2, bigEndian), lo = u16(b, bigEndian ? p + 2 : p, bigEndian);
        return (hi << 16) | lo;
    }

    /**
     * Returns the image as it should be displayed for the given orientation (what Pillow's
     * {@code exif_transpose} produces): 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
     * 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
     */
    static RgbImage apply(RgbImage src, int orientation) {
        if (orientation <= 1 || orientation > 8) return src;
        int w = src.width(), h = src.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] in = src.rgb(), out = new byte[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }   // 8
                }
                System.arraycopy(in, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
