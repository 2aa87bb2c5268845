package jmistral.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Hostile and broken inputs give an ImageInputException that says what was wrong, never an OOM. */
class BadImageInputTest {
    private final ImageDecoder decoder = new ImageDecoder();

    /** A PNG with a valid IHDR claiming the given size, one tiny IDAT and IEND. */
    static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private String failure(byte[] data, String name) {
        return assertThrows(ImageInputException.class, () -> decoder.decode(data, name)).getMessage();
    }

    @Test
    void pngDecompressionBombIsRefusedFromTheHeader() throws IOException {
        String msg = failure(pngHeader(100_000, 100_000), "bomb.png");
        assertTrue(msg.contains("bomb.png") && msg.contains("100000x100000") && msg.contains("limit"), msg);
    }

    @Test
    void gifDecompressionBombIsRefusedFromTheHeader() {
        ByteBuffer gif = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) 60_000).putShort((short) 60_000)
                .put((byte) 0x80).put((byte) 0).put((byte) 0)              // 2-colour global table
                .put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255})
                .put((byte) 0x2C).putShort((short) 0).putShort((short) 0)   // image descriptor
                .putShort((short) 60_000).putShort((short) 60_000).put((byte) 0)
                .put((byte) 2).put((byte) 2).put((byte) 0x4C).put((byte) 0x01).put((byte) 0).put((byte) 0x3B);
        String msg = failure(Arrays.copyOf(gif.array(), gif.position()), "bomb.gif");
        assertTrue(msg.contains("60000x60000") && msg.contains("limit"), msg);
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        byte[] png = ImageDecoderTest.encode(SyntheticImages.rgbBuffered(100, 100), "png");
        assertEquals(100, decoder.decode(png, "ok.png").width());
        String msg = assertThrows(ImageInputException.class,
                () -> decoder.withMaxPixels(9_999).decode(png, "big.png")).getMessage();
        assertTrue(msg.contains("10000 pixels") && msg.contains("9999"), msg);
    }

    @Test
    void zeroSizeImageIsRefused() throws IOException {
        String msg = failure(pngHeader(0, 10), "empty.png");
        assertTrue(msg.contains("empty.png"), msg);
        assertTrue(msg.toLowerCase().contains("width") || msg.contains("zero size"), msg);
    }

    @Test
    void emptyAndGarbageDataAreRefused() {
        assertTrue(failure(new byte[0], "nothing").contains("empty"));
        String msg = failure("hello, this is not an image".getBytes(StandardCharsets.US_ASCII), "note.txt");
        assertTrue(msg.contains("not a supported image format") && msg.contains("68 65 6c 6c"), msg);
    }

    @Test
    void truncatedPngIsRefused() throws IOException {
        byte[] png = ImageDecoderTest.encode(SyntheticImages.rgbBuffered(200, 100), "png");
        String msg = failure(Arrays.copyOf(png, png.length / 2), "cut.png");
        assertTrue(msg.contains("cut.png") && msg.contains("cannot decode"), msg);
    }

    @Test
    void truncatedJpegIsRefused() throws IOException {
        BufferedImage noise = SyntheticImages.rgbBuffered(200, 120);
        byte[] jpeg = ImageDecoderTest.encode(noise, "jpg");
        String msg = failure(Arrays.copyOf(jpeg, jpeg.length / 2), "cut.jpg");
        assertTrue(msg.contains("cut.jpg") && msg.contains("truncated"), msg);
    }

    @Test
    void corruptBytesInsideAPngAreRefused() throws IOException {
        byte[] png = ImageDecoderTest.encode(SyntheticImages.rgbBuffered(64, 64), "png");
        for (int i = 40; i < png.length - 20; i += 7) png[i] ^= 0x5A;
        String msg = failure(png, "corrupt.png");
        assertTrue(msg.contains("corrupt.png"), msg);
    }
}
