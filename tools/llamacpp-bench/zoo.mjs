// How far llama.cpp on this machine is from the llama.cpp outputs recorded in the zoo fixtures
// (../../../shared/fixtures/llamacpp/zoo): per file, the worst |log-prob difference| over every case,
// step and listed top token. Each step evaluates prompt + the recorded greedy ids so far afresh and
// takes the full next-token distribution (temperature 1, no top-k/top-p/min-p).
//
//   cd tools/llamacpp-bench && npm install && node zoo.mjs ZOO_DIR F16 Q8_0 Q4_K_M ...
import {getLlama} from "node-llama-cpp";
import fs from "node:fs";

const [dir, ...types] = process.argv.slice(2);
if (!dir || types.length === 0) {
    console.error("usage: node zoo.mjs ZOO_DIR TYPE... (files ZOO_DIR/zoo-TYPE.gguf and zoo-TYPE.expected.json)");
    process.exit(2);
}
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
console.log(`llama.cpp ${llama.llamaCppRelease.release} (${llama.llamaCppRelease.repo}), CPU`);
for (const type of types) {
    const model = await llama.loadModel({modelPath: `${dir}/zoo-${type}.gguf`, gpuLayers: 0});
    const context = await model.createContext({contextSize: 512, threads: 2, batchSize: 512});
    const sequence = context.getSequence();
    const cases = JSON.parse(fs.readFileSync(`${dir}/zoo-${type}.expected.json`, "utf8"));
    let worst = 0, where = "";
    for (const c of cases) {
        for (let i = 0; i < c.steps.length; i++) {
            await sequence.clearHistory();
            const tokens = sequence.evaluateWithMetadata([...c.prompt_ids, ...c.greedy_ids.slice(0, i)],
                {probabilities: true}, {temperature: 1, topK: 0, topP: 1, minP: 0});
            const next = (await tokens.next()).value;
            await tokens.return();
            for (const [id, logprob] of c.steps[i].top) {
                const d = Math.abs(Math.log(next.probabilities.get(id) ?? 0) - logprob);
                if (d > worst) { worst = d; where = `${c.name} step ${i}`; }
            }
        }
    }
    console.log(`${type}\tworst log-prob difference ${worst.toFixed(4)} (${where})`);
    await context.dispose();
    await model.dispose();
}
process.exit(0);
