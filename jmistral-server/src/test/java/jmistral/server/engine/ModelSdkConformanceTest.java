package jmistral.server.engine;

import jmistral.server.NodeSdkConformanceAccess;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official openai and @mistralai/mistralai SDKs against the real engine on a random-weight model:
 * plain, streaming, usage, seed, logprobs, n, errors, concurrency, cancellation, and (--tools) forced
 * tool calls and a JSON-schema response that must parse and match thanks to constrained decoding.
 */
class ModelSdkConformanceTest {
    @Test
    void officialSdksWorkAgainstTheRealEngine() throws Exception {
        SynthServer s = SynthServer.get();
        var r = NodeSdkConformanceAccess.run(s.server.port(), SynthServer.API_KEY, true);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("ALL PASSED"), r.output());
    }
}
