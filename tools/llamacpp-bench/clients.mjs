// N concurrent streaming chat clients against any OpenAI-compatible server (`jmistral serve --parallel N`,
// `llama-server -np N`): each client sends its own short prompt and streams max_tokens tokens at
// temperature 0. Prints one client alone first, then N together: aggregate generated tokens per second
// (all clients' completion tokens over the wall time from the first request to the last answer's end),
// and the median time to first token. Tokens are counted from the final usage chunk where the server
// sends one (stream_options.include_usage), otherwise as content chunks.
//
//   node clients.mjs URL [clients=8] [maxTokens=64] [rounds=1]
//   e.g. node clients.mjs http://127.0.0.1:8080 8 64
const [base, clientsArg = "8", maxTokensArg = "64", roundsArg = "1"] = process.argv.slice(2);
if (!base) {
    console.error("usage: node clients.mjs URL [clients] [maxTokens] [rounds]");
    process.exit(2);
}
const clients = +clientsArg, maxTokens = +maxTokensArg, rounds = +roundsArg;
const topics = ["the sea", "Paris", "a cat", "prime numbers", "Spark", "tea", "rain", "chess", "rivers", "glass",
    "autumn", "trains", "bees", "copper", "maps", "violins"];

/** One streaming request; resolves to {tokens, firstMs, endMs} measured from t0. */
async function client(i, t0) {
    const res = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: {"content-type": "application/json"},
        body: JSON.stringify({
            model: "any",
            messages: [{role: "user", content: `Write a long story about ${topics[i % topics.length]} (#${i}).`}],
            max_tokens: maxTokens, temperature: 0, stream: true, stream_options: {include_usage: true},
        }),
    });
    if (!res.ok) throw new Error(`client ${i}: HTTP ${res.status} ${await res.text()}`);
    let chunks = 0, usage = null, firstMs = null, buffered = "";
    const decoder = new TextDecoder();
    for await (const part of res.body) {
        buffered += decoder.decode(part, {stream: true});
        let nl;
        while ((nl = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (!line.startsWith("data:")) continue;
            const data = line.slice(5).trim();
            if (data === "[DONE]") continue;
            const event = JSON.parse(data);
            if (event.usage) usage = event.usage;
            const delta = event.choices?.[0]?.delta;
            if (delta && typeof delta.content === "string" && delta.content.length > 0) {
                chunks++;
                if (firstMs === null) firstMs = performance.now() - t0;
            }
        }
    }
    return {tokens: usage?.completion_tokens ?? chunks, firstMs: firstMs ?? NaN, endMs: performance.now() - t0};
}

async function together(n) {
    const t0 = performance.now();
    const results = await Promise.all(Array.from({length: n}, (_, i) => client(i, t0)));
    const wall = Math.max(...results.map(r => r.endMs)) / 1000;
    const tokens = results.reduce((s, r) => s + r.tokens, 0);
    const firsts = results.map(r => r.firstMs).sort((a, b) => a - b);
    return {tokens, wall, rate: tokens / wall, firstMs: firsts[Math.floor(firsts.length / 2)]};
}

// wait until the server answers /health with 200 (both servers say 503 while loading the model)
for (let waited = 0; ; waited++) {
    const ok = await fetch(`${base}/health`).then(r => r.ok, () => false);
    if (ok) break;
    if (waited >= 1200) throw new Error(`${base}/health not ready after 10 minutes`);
    await new Promise(r => setTimeout(r, 500));
}
await client(99, performance.now()); // warm-up (server-side JIT, caches)
for (let r = 0; r < rounds; r++) {
    const one = await together(1);
    const many = await together(clients);
    console.log(`1 client   ${one.rate.toFixed(2)} tok/s (${one.tokens} tokens in ${one.wall.toFixed(1)} s, first token ${one.firstMs.toFixed(0)} ms)`);
    console.log(`${clients} clients  ${many.rate.toFixed(2)} tok/s aggregate (${many.tokens} tokens in ${many.wall.toFixed(1)} s, median first token ${many.firstMs.toFixed(0)} ms), ${(many.rate / one.rate).toFixed(2)}x one`);
}
