package jmistral.server;

/** Lets tests in other packages run the Node SDK conformance script. */
public final class NodeSdkConformanceAccess {
    private NodeSdkConformanceAccess() {}

    public record Result(int exitCode, String output) {}

    public static Result run(int port, String apiKey, boolean withTools) throws Exception {
        NodeSdkConformance.Result r = NodeSdkConformance.run(port, apiKey, withTools);
        return new Result(r.exitCode(), r.output());
    }
}
