// llama.cpp on the same machine, measured the way `jmistral bench` measures: a 512-token prompt of
// fixed pseudo-random ids (prefill tok/s, including the first sampled token), then greedy decode.
// node-llama-cpp ships prebuilt CPU builds of llama.cpp and picks the one for this CPU (AVX-512 VNNI
// on Zen 4/5), so nothing is compiled here.
//
//   cd tools/llamacpp-bench && npm install && node bench.mjs MODEL.gguf [threads=2] [promptTokens=512] [genTokens=64]
import {getLlama} from "node-llama-cpp";

const [modelPath, threads = "2", promptTokens = "512", genTokens = "64"] = process.argv.slice(2);
if (!modelPath) {
    console.error("usage: node bench.mjs MODEL.gguf [threads] [promptTokens] [genTokens]");
    process.exit(2);
}
const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true});
const context = await model.createContext({
    contextSize: +promptTokens + +genTokens + 64,
    threads: {ideal: +threads, min: +threads},
    batchSize: 512,
});
const sequence = context.getSequence();
// ids from 1000 up (past the special tokens), as jmistral bench draws its prompt
const prompt = Array.from({length: +promptTokens}, (_, i) => 1000 + (i * 7919) % 100000);

const t0 = performance.now();
const tokens = sequence.evaluate(prompt, {temperature: 0});
await tokens.next();                      // the whole prompt, then the first token
const t1 = performance.now();
let decoded = 0;
while (decoded < +genTokens - 1 && !(await tokens.next()).done) decoded++;
const t2 = performance.now();
await tokens.return();

console.log(`llama.cpp ${llama.llamaCppRelease.release} (${llama.llamaCppRelease.repo}), CPU, ${threads} threads`);
console.log(`prefill  ${(+promptTokens / ((t1 - t0) / 1000)).toFixed(1)} tok/s (${promptTokens} tokens)`);
console.log(`decode   ${(decoded / ((t2 - t1) / 1000)).toFixed(2)} tok/s (${decoded} tokens)`);
process.exit(0);
