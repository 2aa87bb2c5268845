package jmistral.safetensors;

import jmistral.gguf.ByteSink;
import jmistral.tensor.BFloat16;
import jmistral.tensor.Float16;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/** Writes floats as F32, F16 or BF16 little-endian (round to nearest even), in chunks. */
final class FloatEncoder {
    private static final int CHUNK = 1 << 18; // elements per write

    private FloatEncoder() {
    }

    static void write(WritableByteChannel out, SafetensorsDType dtype, float[] data) throws IOException {
        if (dtype == SafetensorsDType.F32) {
            ByteSink.writeF32(out, data);
            return;
        }
        if (dtype != SafetensorsDType.F16 && dtype != SafetensorsDType.BF16) {
            throw new IllegalArgumentException("float data cannot be stored as " + dtype + " (use F32, F16 or BF16)");
        }
        ByteBuffer buf = ByteBuffer.allocate(2 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; ) {
            buf.clear();
            int n = Math.min(CHUNK, data.length - i);
            for (int j = 0; j < n; j++) {
                float f = data[i + j];
                buf.putShort(dtype == SafetensorsDType.F16 ? Float16.fromFloat(f) : BFloat16.fromFloat(f));
            }
            ByteSink.writeFully(out, buf.flip());
            i += n;
        }
    }
}
