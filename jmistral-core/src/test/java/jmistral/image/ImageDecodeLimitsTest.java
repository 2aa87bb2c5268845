package jmistral.image;

import jmistral.tokenizer.ImageConfig;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Work bounds of {@link ImageDecoder}: a pixel bomb under the megapixel cap is decoded subsampled with the
 * token grid of the full image, a side over the limit is refused from the header, decodes beyond the permit
 * pool wait and are then refused as busy, and a decode past its deadline is aborted.
 */
class ImageDecodeLimitsTest {

    /** A 16-bit RGBA PNG of zeros (filter byte 0 and zero samples per row): 7000x7000 is 381 KB. */
    static byte[] zeroPng16(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        BadImageInputTest.chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h)
                .put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0).array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[1 + w * 8];
            for (int y = 0; y < h; y++) z.write(row);
        }
        BadImageInputTest.chunk(out, "IDAT", idat.toByteArray());
        BadImageInputTest.chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    @Test
    void pixelBombIsDecodedSubsampledWithTheFullImagesTokenGrid() throws IOException {
        byte[] bomb = zeroPng16(7000, 7000);
        assertTrue(bomb.length < 400_000, "a 49-megapixel 16-bit PNG in " + bomb.length + " bytes");
        RgbImage img = new ImageDecoder().decode(bomb, "bomb.png");
        // every 4th pixel: 1750 px, still more than the 1540 the model takes, a 16th of the raster
        assertEquals(1750, img.width());
        assertEquals(1750, img.height());
        assertEquals(ImageGrid.forImage(7000, 7000), ImageGrid.forImage(img.width(), img.height()));
        assertEquals(255, img.sample(100, 100, 0), "transparent black composited on white");
    }

    @Test
    void subsamplingKeepsEveryTokenGridAndTheModelsSize() {
        ImageConfig c = ImageConfig.MISTRAL_SMALL_3;
        for (int w = 1; w <= 20_000; w += 97) {
            for (int h : new int[] {1, 29, 1540, 3079, 3080, 4031, 7000, 12_345, 20_000}) {
                int f = ImageDecoder.subsamplingFor(w, h, c);
                int sw = (w + f - 1) / f, sh = (h + f - 1) / f;
                assertEquals(ImageGrid.forImage(w, h, c), ImageGrid.forImage(sw, sh, c), w + "x" + h + " f=" + f);
                assertTrue(f == 1 || Math.max(sw, sh) >= c.maxImageSize(), w + "x" + h + " f=" + f);
                if (Math.max(w, h) < 2 * c.maxImageSize()) assertEquals(1, f, w + "x" + h);
            }
        }
        assertEquals(4, ImageDecoder.subsamplingFor(7000, 7000, c));
        assertEquals(2, ImageDecoder.subsamplingFor(4032, 3024, c));   // a phone photo
    }

    @Test
    void subsamplingCanBeTurnedOff() throws IOException {
        BufferedImage wide = new BufferedImage(3200, 10, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 3200; x++) wide.setRGB(x, 4, x % 2 == 0 ? 0xFF0000 : 0x0000FF);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(wide, "png", png);
        RgbImage sub = new ImageDecoder().decode(png.toByteArray(), "wide.png");
        RgbImage full = new ImageDecoder().withSubsampling(false).decode(png.toByteArray(), "wide.png");
        assertEquals(1600, sub.width());
        assertEquals(5, sub.height());
        assertEquals(3200, full.width());
        for (int x = 0; x < 1600; x++) {   // row 2 of the subsampled image is row 4 of the full one
            assertEquals(full.sample(2 * x, 4, 0), sub.sample(x, 2, 0), "subsampled pixel " + x + " is full pixel " + 2 * x);
            assertEquals(255, sub.sample(x, 2, 0), "only the red even columns are kept");
        }
    }

    @Test
    void aSideOverTheLimitIsRefusedFromTheHeader() throws IOException {
        // 50 million pixels wide and one high: under the pixel cap, but two 400 MB row buffers to decode
        byte[] png = BadImageInputTest.pngHeader(50_000_000, 1);
        String msg = assertThrows(ImageInputException.class, () -> new ImageDecoder().decode(png, "line.png")).getMessage();
        assertTrue(msg.contains("50000000x1") && msg.contains("limit of " + ImageDecoder.MAX_SIDE), msg);
    }

    @Test
    void decodesBeyondThePermitPoolWaitThenAreRefusedAsBusy() throws Exception {
        ImageDecodePermits one = new ImageDecodePermits(1, Duration.ofMillis(200));
        ImageDecoder decoder = new ImageDecoder().withPermits(one);
        byte[] png = small();
        assertEquals(4, decoder.decode(png, "a.png").width());
        assertEquals(1, one.available(), "the permit is given back");

        CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> {
            try (ImageDecodePermits.Permit p = one.acquire("holder")) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        held.await();
        ImageDecodeBusyException busy = assertThrows(ImageDecodeBusyException.class, () -> decoder.decode(png, "b.png"));
        assertTrue(busy.getMessage().startsWith("b.png: 1 images are being decoded already"), busy.getMessage());
        release.countDown();
        holder.join();
        assertEquals(4, decoder.decode(png, "c.png").width(), "decodes again once the permit is free");
        assertEquals(1, one.available());
    }

    @Test
    void aDecodePastItsDeadlineIsAbortedAndRefused() throws IOException {
        byte[] big = zeroPng16(3000, 3000);
        String msg = assertThrows(ImageInputException.class,
                () -> new ImageDecoder().withDecodeTimeout(Duration.ofNanos(1)).decode(big, "slow.png")).getMessage();
        assertTrue(msg.contains("slow.png") && msg.contains("took longer than the limit"), msg);
        assertEquals(3000, new ImageDecoder().decode(big, "slow.png").width(), "with the default deadline it decodes (whole: under 2x1540)");
    }

    private static byte[] small() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}
