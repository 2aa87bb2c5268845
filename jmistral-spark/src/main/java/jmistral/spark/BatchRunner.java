package jmistral.spark;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jmistral.chat.OutputParser;
import jmistral.generate.ContextOverflowException;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationResult;
import jmistral.generate.SamplingParams;
import jmistral.generate.Scheduler;
import jmistral.generate.SchedulerConfig;
import jmistral.generate.SequenceHandle;
import jmistral.generate.SequenceRequest;
import jmistral.generate.Speculation;
import jmistral.model.KvCache;

/**
 * Generates the answers of one task's rows, a batch at a time, on the executor's shared model: each
 * batch goes to a continuous-batching {@link Scheduler} all at once (so one forward step serves all its
 * rows) and the answers come back in row order. One runner per task; its KV cache is borrowed from the
 * executor's pool and given back on close.
 */
final class BatchRunner implements AutoCloseable {
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final ExecutorModel model;
    private final StartGate gate;
    private final KvCache kv;
    private final Scheduler scheduler;
    private final SamplingParams params;

    BatchRunner(ExecutorModel model, GenerationOptions o) {
        this.model = model;
        this.gate = new StartGate(model.model().model());
        this.kv = model.borrowCache(Math.multiplyExact(o.batchSize(), o.maxContext()));
        int bs = o.batchSize();
        this.scheduler = new Scheduler(gate, kv, SchedulerConfig.defaults().withMaxParallel(bs).withMaxQueue(bs)
                .withMaxContext(o.maxContext()).withPrefixCacheEntries(bs)
                .withSpeculation(Speculation.DEFAULT.withDraftTokens(o.draftTokens())));
        this.params = SamplingParams.defaults().withTemperature(o.temperature()).withTopP(o.topP())
                .withMaxTokens(o.maxTokens()).withStopTokenIds(model.tekken().eos());
    }

    /** Answers in the order of rows. Rows already failed keep their error. */
    List<RowAnswer> run(List<PreparedRow> rows) {
        int n = rows.size();
        SequenceHandle[] handles = new SequenceHandle[n];
        RowAnswer[] answers = new RowAnswer[n];
        try {
            submitAll(rows, handles, answers);
            for (int i = 0; i < n; i++) {
                if (handles[i] != null) answers[i] = answer(rows.get(i), handles[i].await());
            }
        } catch (InterruptedException e) {            // Spark kills the task: stop its sequences
            for (SequenceHandle h : handles) if (h != null) h.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task interrupted while generating", e);
        }
        return List.of(answers);
    }

    /**
     * Submits the first row, waits until the scheduler holds its first step at the gate, then submits
     * the rest: the scheduler admits them together, so the steps do not depend on timing.
     */
    private void submitAll(List<PreparedRow> rows, SequenceHandle[] handles, RowAnswer[] answers) throws InterruptedException {
        gate.hold();
        try {
            boolean anchored = false;
            for (int i = 0; i < rows.size(); i++) {
                PreparedRow r = rows.get(i);
                if (r.error() != null) {
                    answers[i] = RowAnswer.failed(r.error(), r.prompt() == null ? null : r.prompt().length);
                    continue;
                }
                SequenceRequest req = SequenceRequest.of(r.prompt(), params.withSeed(r.seed())).withEmbeddings(r.embeddings());
                if (r.grammar() != null) req = req.withConstraint(r.grammar().newState());
                try {
                    handles[i] = scheduler.submit(req);
                } catch (ContextOverflowException e) {
                    answers[i] = RowAnswer.failed("prompt too long: " + e.getMessage(), r.prompt().length);
                    continue;
                } catch (RuntimeException e) {
                    answers[i] = RowAnswer.failed(e.getMessage(), r.prompt().length);
                    continue;
                }
                if (!anchored) anchored = gate.awaitEntered(handles[i]);
            }
        } finally {
            gate.release();
        }
    }

    private RowAnswer answer(PreparedRow row, GenerationResult r) {
        int promptTokens = r.usage().promptTokens();
        if (r.reason() == FinishReason.ERROR || r.reason() == FinishReason.CANCELLED)
            return RowAnswer.failed(r.error() != null ? r.error() : "generation " + r.reason(), promptTokens);
        SplittableRandom ids = new SplittableRandom(row.seed());       // tool-call ids repeat on a retry too
        OutputParser parser = new OutputParser(model.tekken(), () -> randomId(ids));
        for (int t : r.tokens()) parser.push(t);
        parser.finish();
        OutputParser.Result parsed = parser.result();
        String reason = !parsed.toolCalls().isEmpty() && r.reason() == FinishReason.STOP ? "tool_calls"
                : r.reason().name().toLowerCase(Locale.ROOT);
        return new RowAnswer(parsed.content(), parsed.toolCalls(), reason, promptTokens, r.usage().completionTokens(), null);
    }

    private static String randomId(SplittableRandom r) {
        StringBuilder sb = new StringBuilder(9);
        for (int i = 0; i < 9; i++) sb.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
        return sb.toString();
    }

    @Override
    public void close() {
        scheduler.close();                 // frees every sequence and cached prefix
        if (kv.freeBlocks() == kv.totalBlocks()) model.returnCache(kv);
        else kv.close();
    }
}
