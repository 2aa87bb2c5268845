package jmistral.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatRequest;
import jmistral.engine.BatchSession;
import jmistral.engine.ChatResponse;
import jmistral.engine.Engine;

/**
 * Generates the answers of one task's rows, a batch at a time, on the executor's shared engine: each
 * batch goes to the task's own batch session all at once (admitted together, so one forward step serves
 * all its rows and a retried task runs the same steps) and the answers come back in row order. One
 * runner per task; its KV cache goes back to the engine on close.
 */
final class BatchRunner implements AutoCloseable {
    private final BatchSession session;

    BatchRunner(Engine engine, GenerationOptions o) {
        this.session = engine.newBatchSession(o.batchSize(), o.maxContext(), o.mmproj() == null ? null : Path.of(o.mmproj()),
                o.draftTokens());
    }

    /** Answers in the order of rows. Rows already failed keep their error. */
    List<RowAnswer> run(List<PreparedRow> rows) {
        List<ChatRequest> requests = new ArrayList<>();
        for (PreparedRow r : rows) if (r.error() == null) requests.add(r.request());
        List<ChatResponse> answers = session.run(requests);
        List<RowAnswer> out = new ArrayList<>(rows.size());
        int next = 0;
        for (PreparedRow r : rows) out.add(r.error() != null ? RowAnswer.failed(r.error(), null) : answer(answers.get(next++)));
        return out;
    }

    private static RowAnswer answer(ChatResponse r) {
        Integer promptTokens = r.usage().promptTokens() > 0 ? r.usage().promptTokens() : null;
        if (r.error() != null) return RowAnswer.failed(r.error(), promptTokens);
        String reason = switch (r.finishReason()) {
            case STOP -> "stop";
            case TOOL_CALLS -> "tool_calls";
            case LENGTH -> "length";
            case LOOP -> "loop";
            case CANCELLED, ERROR -> null;
        };
        if (reason == null) return RowAnswer.failed("generation " + r.finishReason(), promptTokens);
        return new RowAnswer(r.text(), r.toolCalls(), reason, promptTokens, r.usage().completionTokens(), null);
    }

    @Override
    public void close() {
        session.close();
    }
}
