package jmistral.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official openai and Mistral SDKs accept the HTTP layer's wire format (stand-in engine). */
class EchoSdkConformanceTest {
    @Test
    void officialSdksAcceptTheWireFormat() throws Exception {
        EchoEngine engine = new EchoEngine();
        engine.delayMillis = 20;
        try (JmistralServer server = new JmistralServer(ServerOptions.loopback(0).withApiKey("sk-conf"), engine).start()) {
            NodeSdkConformance.Result r = NodeSdkConformance.run(server.port(), "sk-conf", true);
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("ALL PASSED"), r.output());
        }
    }
}
