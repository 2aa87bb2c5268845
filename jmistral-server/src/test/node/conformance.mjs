// Drives a running jmistral server with the official SDKs. Usage:
//   node conformance.mjs <baseUrl> <apiKey> [--tools]
// Checks are structural (they hold for any model, including random-weight test models);
// --tools adds forced tool calls, which need constrained decoding on such models.
// Prints one line per check and exits non-zero when any check fails.
import OpenAI from 'openai';
import { Mistral } from '@mistralai/mistralai';

const [base, apiKey, ...flags] = process.argv.slice(2);
const withTools = flags.includes('--tools');
const openai = new OpenAI({ baseURL: base + '/v1', apiKey, maxRetries: 0, timeout: 120_000 });
const mistral = new Mistral({ serverURL: base, apiKey });
const model = 'jmistral';
const user = (content) => [{ role: 'user', content }];
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    // maxLength keeps a random-weight model's string finite (strings close only by chance otherwise)
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 } }, required: ['city'], additionalProperties: false },
  },
};

let failures = 0;
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function check(name, fn) {
  try { await fn(); console.log('PASS ' + name); }
  catch (e) { failures++; console.log('FAIL ' + name + ': ' + (e && e.stack || e)); }
}
function checkUsage(u) {
  assert(u && u.prompt_tokens > 0, 'usage.prompt_tokens > 0: ' + JSON.stringify(u));
  assert(u.total_tokens === u.prompt_tokens + u.completion_tokens, 'usage adds up: ' + JSON.stringify(u));
}
function checkToolCall(call) {
  assert(call.type === 'function', 'type function');
  assert(/^[a-zA-Z0-9]{9}$/.test(call.id), 'tool call id of 9 alphanumerics: ' + call.id);
  assert(call.function.name === 'get_weather', 'tool name: ' + call.function.name);
  const args = JSON.parse(call.function.arguments);
  assert(typeof args.city === 'string', 'arguments valid for the schema: ' + call.function.arguments);
}

await check('openai: plain completion', async () => {
  const r = await openai.chat.completions.create({ model, messages: user('Hello there'), max_tokens: 8, temperature: 0 });
  assert(r.object === 'chat.completion', 'object');
  assert(r.choices.length === 1 && r.choices[0].message.role === 'assistant', 'one assistant choice');
  assert(typeof r.choices[0].message.content === 'string', 'content is a string');
  assert(['stop', 'length'].includes(r.choices[0].finish_reason), 'finish_reason ' + r.choices[0].finish_reason);
  checkUsage(r.usage);
  assert(r.usage.completion_tokens <= 8, 'max_tokens honoured');
});

await check('openai: streaming with usage (stream helper validates the chunks)', async () => {
  const stream = openai.chat.completions.stream({
    model, messages: user('Tell me a story'), max_completion_tokens: 6, temperature: 0, stream_options: { include_usage: true } });
  let chunks = 0;
  for await (const chunk of stream) { chunks++; }
  const final = await stream.finalChatCompletion();
  assert(chunks >= 2, 'several chunks');
  assert(final.choices[0].message.role === 'assistant', 'role assistant (sent once)');
  assert(final.choices[0].finish_reason, 'finish_reason present');
  checkUsage(final.usage);
});

await check('openai: seed makes sampling repeatable', async () => {
  const ask = () => openai.chat.completions.create({ model, messages: user('Pick a word'), max_tokens: 6, temperature: 1, seed: 42 });
  const [a, b] = [await ask(), await ask()];
  assert(a.choices[0].message.content === b.choices[0].message.content, 'same seed, same answer');
});

await check('openai: logprobs', async () => {
  const r = await openai.chat.completions.create({ model, messages: user('Hi'), max_tokens: 3, temperature: 0, logprobs: true, top_logprobs: 2 });
  const lp = r.choices[0].logprobs.content;
  assert(lp.length === r.usage.completion_tokens || r.choices[0].finish_reason === 'stop', 'one entry per token');
  assert(lp.length > 0 && lp[0].logprob <= 0 && lp[0].top_logprobs.length === 2, 'top_logprobs: ' + JSON.stringify(lp[0]));
});

await check('openai: n choices', async () => {
  const r = await openai.chat.completions.create({ model, messages: user('Hi'), max_tokens: 3, n: 2, temperature: 1, seed: 1 });
  assert(r.choices.length === 2 && r.choices[1].index === 1, 'two choices');
});

await check('openai: errors (401 wrong key, 400 bad role, 400 unknown named tool)', async () => {
  const bad = new OpenAI({ baseURL: base + '/v1', apiKey: 'wrong-key', maxRetries: 0 });
  try { await bad.chat.completions.create({ model, messages: user('x') }); assert(false, 'expected 401'); }
  catch (e) { assert(e instanceof OpenAI.AuthenticationError, '401 AuthenticationError, got ' + e); }
  try { await openai.chat.completions.create({ model, messages: [{ role: 'wizard', content: 'x' }] }); assert(false, 'expected 400'); }
  catch (e) { assert(e instanceof OpenAI.BadRequestError && e.error && e.error.message, '400 with message, got ' + e); }
  try {
    await openai.chat.completions.create({ model, messages: user('x'), tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'nope' } } });
    assert(false, 'expected 400');
  } catch (e) { assert(e instanceof OpenAI.BadRequestError, '400 BadRequestError, got ' + e); }
});

await check('openai: models list', async () => {
  const list = await openai.models.list();
  assert(list.data.length >= 1 && list.data[0].object === 'model', 'models');
});

await check('openai: 4 concurrent streams', async () => {
  const one = async (i) => {
    const s = openai.chat.completions.stream({ model, messages: user('Concurrent ' + i), max_tokens: 5, temperature: 0 });
    return (await s.finalChatCompletion()).choices[0].finish_reason;
  };
  const reasons = await Promise.all([0, 1, 2, 3].map(one));
  assert(reasons.every((r) => r === 'stop' || r === 'length'), 'all finished: ' + reasons);
});

await check('openai: abort mid-stream cancels on the server', async () => {
  const before = await cancelledCount();
  const controller = new AbortController();
  const stream = await openai.chat.completions.create(
    { model, messages: user('A long answer please'), max_tokens: 4000, stream: true }, { signal: controller.signal });
  try { for await (const _ of stream) { controller.abort(); } } catch (e) { /* aborted */ }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (await cancelledCount()) <= before) await new Promise((r) => setTimeout(r, 100));
  assert((await cancelledCount()) > before, 'server counted the cancellation');
});

async function cancelledCount() {
  const text = await (await fetch(base + '/metrics')).text();
  const m = text.match(/^jmistral_requests_cancelled_total\S* (\S+)/m);
  return m ? Number(m[1]) : 0;
}

await check('mistral: chat.complete', async () => {
  const r = await mistral.chat.complete({ model, messages: user('Bonjour'), maxTokens: 5, temperature: 0, randomSeed: 3 });
  assert(r.choices[0].message.role === 'assistant', 'assistant');
  assert(typeof r.choices[0].message.content === 'string', 'content string');
  assert(r.usage.totalTokens === r.usage.promptTokens + r.usage.completionTokens, 'usage');
});

await check('mistral: chat.stream', async () => {
  const stream = await mistral.chat.stream({ model, messages: user('Salut'), maxTokens: 5, temperature: 0 });
  let finish = null, n = 0;
  for await (const ev of stream) { n++; const c = ev.data.choices[0]; if (c && c.finishReason) finish = c.finishReason; }
  assert(n >= 2 && finish, 'events and a finish reason');
});

await check('mistral: prefix and safe_prompt accepted', async () => {
  const r = await mistral.chat.complete({ model, maxTokens: 3, safePrompt: true,
    messages: [{ role: 'user', content: 'Say hi' }, { role: 'assistant', content: 'Hi', prefix: true }] });
  assert(r.choices.length === 1, 'answered');
});

if (withTools) {
  await check('openai: forced tool call (required)', async () => {
    const r = await openai.chat.completions.create({ model, messages: user('Weather in Paris?'), tools: [weatherTool], tool_choice: 'required', parallel_tool_calls: false, max_tokens: 64 });
    assert(r.choices[0].finish_reason === 'tool_calls', 'finish_reason tool_calls, got ' + r.choices[0].finish_reason);
    checkToolCall(r.choices[0].message.tool_calls[0]);
  });
  await check('openai: streamed named tool call', async () => {
    const s = openai.chat.completions.stream({ model, messages: user('Weather in Rome?'), tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false, max_tokens: 64 });
    const final = await s.finalChatCompletion();
    checkToolCall(final.choices[0].message.tool_calls[0]);
  });
  await check('mistral: tool call with toolChoice any', async () => {
    const r = await mistral.chat.complete({ model, messages: user('Weather in Oslo?'), tools: [weatherTool], toolChoice: 'any', parallelToolCalls: false, maxTokens: 64 });
    const call = r.choices[0].message.toolCalls[0];
    assert(call.function.name === 'get_weather', 'name');
    const args = typeof call.function.arguments === 'string' ? JSON.parse(call.function.arguments) : call.function.arguments;
    assert(typeof args.city === 'string', 'arguments');
  });
}

if (withTools) {
  const schema = {
    type: 'object',
    properties: { answer: { type: 'string', maxLength: 10 }, score: { type: 'integer', minimum: 0, maximum: 100 },
      mood: { enum: ['happy', 'sad'] } },
    required: ['answer', 'score', 'mood'], additionalProperties: false };
  await check('openai: response_format json_schema gives JSON that matches', async () => {
    const r = await openai.chat.completions.create({ model, messages: user('Rate this'), max_tokens: 64,
      response_format: { type: 'json_schema', json_schema: { name: 'rating', schema, strict: true } } });
    assert(r.choices[0].finish_reason === 'stop', 'finish_reason stop, got ' + r.choices[0].finish_reason);
    const v = JSON.parse(r.choices[0].message.content);
    assert(Object.keys(v).sort().join() === 'answer,mood,score', 'keys: ' + r.choices[0].message.content);
    assert(typeof v.answer === 'string' && v.answer.length <= 10, 'answer');
    assert(Number.isInteger(v.score) && v.score >= 0 && v.score <= 100, 'score');
    assert(['happy', 'sad'].includes(v.mood), 'mood');
  });
  await check('mistral: responseFormat json_schema (streamed)', async () => {
    const stream = await mistral.chat.stream({ model, messages: user('Rate that'), maxTokens: 64,
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'rating', schemaDefinition: schema, strict: true } } });
    let text = '';
    for await (const ev of stream) { const c = ev.data.choices[0]; if (c && c.delta.content) text += c.delta.content; }
    const v = JSON.parse(text);
    assert(['happy', 'sad'].includes(v.mood) && Number.isInteger(v.score), 'valid: ' + text);
  });
  await check('openai: unsupported schema keyword is a 400 naming it', async () => {
    try {
      await openai.chat.completions.create({ model, messages: user('x'), response_format: { type: 'json_schema',
        json_schema: { name: 'bad', schema: { type: 'object', patternProperties: { '^a': { type: 'string' } } } } } });
      assert(false, 'expected 400');
    } catch (e) { assert(e instanceof OpenAI.BadRequestError && /patternProperties/.test(e.message), 'got ' + e); }
  });
}

console.log(failures === 0 ? 'ALL PASSED' : failures + ' FAILED');
process.exit(failures === 0 ? 0 : 1);
