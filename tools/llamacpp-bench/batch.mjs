// llama.cpp decoding N sequences together, as `llama-server -np N` does for N concurrent clients and as
// `jmistral bench --batch N` measures: each sequence gets its own short prompt of fixed pseudo-random ids,
// then all N decode greedily at once; node-llama-cpp puts the N sequences' next tokens into one batch
// (one llama_decode per step), which is what llama-server's slots do. Prints the single-sequence decode
// rate first (the same context, one sequence), then the N-sequence aggregate.
//
//   cd tools/llamacpp-bench && npm install && node batch.mjs MODEL.gguf [threads=2] [sequences=8] [promptTokens=64] [genTokens=32]
import {getLlama} from "node-llama-cpp";

const [modelPath, threads = "2", sequences = "8", promptTokens = "64", genTokens = "32"] = process.argv.slice(2);
if (!modelPath) {
    console.error("usage: node batch.mjs MODEL.gguf [threads] [sequences] [promptTokens] [genTokens]");
    process.exit(2);
}
const n = +sequences, gen = +genTokens;
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true});
const context = await model.createContext({
    contextSize: n * (+promptTokens + gen + 64),
    sequences: n,
    threads: {ideal: +threads, min: +threads},
    batchSize: 512,
});
// different prompts per sequence (ids from 1000 up, past the special tokens), as bench.mjs draws them
const promptOf = s => Array.from({length: +promptTokens}, (_, i) => 1000 + ((i + 131 * s) * 7919) % 100000);

/** Evaluates the prompt, then decodes gen - 1 tokens; returns the decode phase's start and end times. */
async function run(sequence, s, startGate) {
    const tokens = sequence.evaluate(promptOf(s), {temperature: 0});
    await tokens.next();                          // prompt and first token
    await startGate();                            // all sequences start decoding together
    const t1 = performance.now();
    let decoded = 0;
    while (decoded < gen - 1 && !(await tokens.next()).done) decoded++;
    const t2 = performance.now();
    await tokens.return();
    return {decoded, t1, t2};
}

const seqs = Array.from({length: n}, () => context.getSequence());
const single = await run(seqs[0], 0, async () => {});
await seqs[0].clearHistory();
const singleRate = single.decoded / ((single.t2 - single.t1) / 1000);

let arrived = 0, release;
const gate = new Promise(r => release = r);
const startGate = async () => { if (++arrived === n) release(); await gate; };
const runs = await Promise.all(seqs.map((seq, s) => run(seq, s, startGate)));
const start = Math.min(...runs.map(r => r.t1)), end = Math.max(...runs.map(r => r.t2));
const total = runs.reduce((a, r) => a + r.decoded, 0);
const aggregate = total / ((end - start) / 1000);

console.log(`llama.cpp ${llama.llamaCppRelease.release} (${llama.llamaCppRelease.repo}), CPU, ${threads} threads`);
console.log(`decode, 1 sequence    ${singleRate.toFixed(2)} tok/s (${single.decoded} tokens)`);
console.log(`decode, ${n} sequences  ${aggregate.toFixed(2)} tok/s aggregate (${total} tokens, ${(aggregate / singleRate).toFixed(2)}x one)`);
process.exit(0);
