package jmistral.quantize;

import jmistral.gguf.TensorWriter;
import jmistral.hub.ProgressListener;
import jmistral.tensor.ComputePool;
import jmistral.tensor.Quantizer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Streams one tensor into the GGUF file: rows are read as f32 and quantized in blocks of rows (a few MB
 * of output), the rows of a block in parallel on the compute pool, then the block is written. Memory use
 * is one block buffer plus one f32 row per thread, whatever the tensor's size.
 */
final class RowBlockWriter implements TensorWriter {
    /** Target output bytes per block of rows. */
    static final int BLOCK_BYTES = 4 << 20;

    private final TensorPlan plan;
    private final ProgressListener progress;

    RowBlockWriter(TensorPlan plan, ProgressListener progress) {
        this.plan = plan;
        this.progress = progress;
    }

    @Override
    public void write(WritableByteChannel out) throws IOException {
        int cols = plan.cols();
        long rowBytes = plan.type().bytesFor(cols);
        int rowsPerBlock = (int) Math.max(1, Math.min(plan.rows(), BLOCK_BYTES / rowBytes));
        byte[] buffer = new byte[Math.toIntExact(rowsPerBlock * rowBytes)];
        MemorySegment seg = MemorySegment.ofArray(buffer);
        for (int r0 = 0; r0 < plan.rows(); r0 += rowsPerBlock) {
            int first = r0, n = Math.min(rowsPerBlock, plan.rows() - r0);
            ComputePool.current().parallelForRange(n, (s, e) -> {
                float[] row = new float[cols];
                for (int i = s; i < e; i++) {
                    plan.source().row(first + i, row);
                    Quantizer.quantizeRow(plan.type(), row, 0, cols, seg, i * rowBytes);
                }
            });
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, Math.toIntExact(n * rowBytes));
            while (b.hasRemaining()) out.write(b);
            progress.advance(n * rowBytes);
        }
    }
}
