package jmistral.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import jmistral.chat.ToolCall;
import jmistral.engine.Engine;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Runs on the executors: answers the rows of one partition, batchSize rows at a time, lazily (a batch is
 * generated when Spark asks for its first row), each output row = input columns + answer columns.
 */
final class GeneratePartition implements MapPartitionsFunction<Row, Row> {
    private final GenerationOptions options;
    private final StructType input;

    GeneratePartition(GenerationOptions options, StructType input) {
        this.options = options;
        this.input = input;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) return rows;
        Engine engine = ExecutorModels.get(options.model(), options.threadsPerExecutor());
        return new Answers(rows, engine);
    }

    private final class Answers implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final RowPreparer preparer;
        private final BatchRunner runner;
        private final List<Row> done = new ArrayList<>();
        private int next;
        private long index;             // of the next input row in this partition
        private boolean closed;

        Answers(Iterator<Row> rows, Engine engine) {
            this.rows = rows;
            this.preparer = new RowPreparer(options, input);
            this.runner = new BatchRunner(engine, options);
            TaskContext task = TaskContext.get();
            if (task != null) task.addTaskCompletionListener((TaskCompletionListener) ctx -> close());
        }

        @Override
        public boolean hasNext() {
            if (next < done.size()) return true;
            if (!rows.hasNext()) {
                close();
                return false;
            }
            nextBatch();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return done.get(next++);
        }

        private void nextBatch() {
            List<Row> in = new ArrayList<>(options.batchSize());
            List<PreparedRow> prepared = new ArrayList<>(options.batchSize());
            while (in.size() < options.batchSize() && rows.hasNext()) {
                Row r = rows.next();
                in.add(r);
                prepared.add(preparer.prepare(r, index++));
            }
            List<RowAnswer> answers = runner.run(prepared);
            done.clear();
            next = 0;
            for (int i = 0; i < in.size(); i++) done.add(withAnswer(in.get(i), answers.get(i)));
        }

        private synchronized void close() {
            if (!closed) {
                closed = true;
                runner.close();
            }
        }
    }

    private static Row withAnswer(Row in, RowAnswer a) {
        int n = in.length();
        Object[] v = new Object[n + OutputColumns.FIELDS.length];
        for (int i = 0; i < n; i++) v[i] = in.get(i);
        v[n] = a.text();
        v[n + 1] = a.toolCalls() == null ? null : toolCallRows(a.toolCalls());
        v[n + 2] = a.finishReason();
        v[n + 3] = a.promptTokens();
        v[n + 4] = a.completionTokens();
        v[n + 5] = a.error();
        return RowFactory.create(v);
    }

    /** A Scala Seq: what Spark's row encoder takes for an array column. */
    private static scala.collection.Seq<Row> toolCallRows(List<ToolCall> calls) {
        List<Row> out = new ArrayList<>(calls.size());
        for (ToolCall c : calls) out.add(RowFactory.create(c.id(), c.name(), c.arguments()));
        return scala.jdk.javaapi.CollectionConverters.asScala(out).toSeq();
    }
}
