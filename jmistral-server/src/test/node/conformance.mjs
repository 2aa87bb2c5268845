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

await check('mistral: prefix and safe_prompt accepted; the answer starts with the prefix, as Mistral\'s API does', async () => {
  const r = await mistral.chat.complete({ model, maxTokens: 3, safePrompt: true,
    messages: [{ role: 'user', content: 'Say hi' }, { role: 'assistant', content: 'Hi', prefix: true }] });
  assert(r.choices.length === 1, 'answered');
  assert(r.choices[0].message.content.startsWith('Hi'), 'content starts with the prefix: ' + r.choices[0].message.content);
});

await check('mistral: chat.stream puts usage in the last chunk', async () => {
  const stream = await mistral.chat.stream({ model, messages: user('Count'), maxTokens: 4, temperature: 0 });
  const events = [];
  for await (const ev of stream) events.push(ev.data);
  const last = events.at(-1);
  assert(last.choices[0].finishReason, 'the last chunk ends the choice');
  assert(last.usage && last.usage.promptTokens > 0 && last.usage.totalTokens === last.usage.promptTokens + last.usage.completionTokens,
    'usage in the last chunk: ' + JSON.stringify(last.usage));
  assert(events.slice(0, -1).every((e) => !e.usage), 'only the last chunk has usage');
});

await check('mistral: models.list entries parse as base models with capabilities', async () => {
  const list = await mistral.models.list();
  const m = list.data[0];
  assert(m.type === 'base' && typeof m.id === 'string' && m.id.length > 0, 'a base model with an id: ' + JSON.stringify(m));
  assert(m.capabilities.completionChat === true && m.capabilities.functionCalling === true, 'capabilities: ' + JSON.stringify(m.capabilities));
  assert(m.capabilities.vision === true, 'vision (the test server has an mmproj): ' + JSON.stringify(m.capabilities));
  assert(m.maxContextLength > 0, 'max_context_length');
  const o = (await openai.models.list()).data[0];
  assert(o.id === m.id, 'the same id for both SDKs');
});

// ---- Responses API (OpenAI) ----
// a 2x2 RGB PNG
const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGM4IScnd0KOAUIBAB3SBBHfPB1bAAAAAElFTkSuQmCC';

function checkResponseUsage(u) {
  assert(u && u.input_tokens > 0 && u.total_tokens === u.input_tokens + u.output_tokens, 'usage: ' + JSON.stringify(u));
}

await check('openai: responses.create with a string input and instructions', async () => {
  const r = await openai.responses.create({ model, instructions: 'Be brief.', input: 'Hello there', max_output_tokens: 6, temperature: 0 });
  assert(r.object === 'response' && r.id.startsWith('resp_'), 'a response object');
  assert(['completed', 'incomplete'].includes(r.status), 'status ' + r.status);
  assert(r.output[0].type === 'message' && r.output[0].role === 'assistant', 'a message item: ' + JSON.stringify(r.output));
  assert(r.output[0].content[0].type === 'output_text', 'an output_text part');
  assert(typeof r.output_text === 'string' && r.output_text === r.output[0].content[0].text, 'output_text (the SDK joins the parts)');
  assert(r.instructions === 'Be brief.' && r.store === false, 'echoes instructions, stores nothing');
  if (r.status === 'incomplete') assert(r.incomplete_details.reason === 'max_output_tokens', 'incomplete_details');
  checkResponseUsage(r.usage);
  assert(r.usage.output_tokens <= 6, 'max_output_tokens honoured');
});

await check('openai: responses.create with message items and an image', async () => {
  const text = await openai.responses.create({ model, max_output_tokens: 2, input: [
    { role: 'user', content: [{ type: 'input_text', text: 'What is this?' }] }] });
  const image = await openai.responses.create({ model, max_output_tokens: 2, input: [
    { role: 'developer', content: 'Describe images.' },
    { type: 'message', role: 'user', content: [{ type: 'input_image', image_url: png }, { type: 'input_text', text: 'What is this?' }] }] });
  checkResponseUsage(image.usage);
  assert(image.usage.input_tokens > text.usage.input_tokens, 'the image adds its tokens: ' + image.usage.input_tokens + ' vs ' + text.usage.input_tokens);
});

await check('openai: responses.stream sends the documented events, in order', async () => {
  const stream = openai.responses.stream({ model, input: 'Tell me a story', max_output_tokens: 6, temperature: 0 });
  const types = [];
  let deltas = '';
  let seq = -1;
  let terminal = null;
  for await (const ev of stream) {
    types.push(ev.type);
    assert(ev.sequence_number === seq + 1, 'sequence numbers count up: ' + ev.sequence_number + ' after ' + seq);
    seq = ev.sequence_number;
    if (ev.type === 'response.output_text.delta') deltas += ev.delta;
    if (ev.type === 'response.completed' || ev.type === 'response.incomplete') terminal = ev.response;
  }
  // the SDK's snapshot follows response.completed only; a cut answer ends with response.incomplete (as OpenAI's does)
  const final = types.at(-1) === 'response.completed' ? await stream.finalResponse() : terminal;
  if (types.at(-1) === 'response.incomplete') assert(final.status === 'incomplete' && final.incomplete_details.reason === 'max_output_tokens', 'incomplete');
  const expected = ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added'];
  assert(expected.every((t, i) => types[i] === t), 'starts with ' + expected + ': ' + types);
  const tail = ['response.output_text.done', 'response.content_part.done', 'response.output_item.done'];
  assert(tail.every((t, i) => types.at(-4 + i) === t), 'ends its message with ' + tail + ': ' + types);
  assert(['response.completed', 'response.incomplete'].includes(types.at(-1)), 'ends with completed/incomplete: ' + types.at(-1));
  assert(types.includes('response.output_text.delta'), 'text deltas');
  assert(final.output[0].content[0].text === deltas, 'the final text is the deltas joined');
  checkResponseUsage(final.usage);
});

await check('openai: responses errors (stateless: previous_response_id; built-in tools; bad item)', async () => {
  try { await openai.responses.create({ model, input: 'x', previous_response_id: 'resp_123' }); assert(false, 'expected 400'); }
  catch (e) { assert(e instanceof OpenAI.BadRequestError && /previous_response_id/.test(e.message) && /stateless/.test(e.message), 'got ' + e); }
  try { await openai.responses.create({ model, input: 'x', tools: [{ type: 'web_search' }] }); assert(false, 'expected 400'); }
  catch (e) { assert(e instanceof OpenAI.BadRequestError && /function tools/.test(e.message), 'got ' + e); }
  try { await openai.responses.create({ model, input: [{ type: 'reasoning', summary: [] }] }); assert(false, 'expected 400'); }
  catch (e) { assert(e instanceof OpenAI.BadRequestError && e.error.param === 'input[0].type', 'got ' + e); }
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
  await check('mistral: chat.stream with tools: each call whole in one delta', async () => {
    const stream = await mistral.chat.stream({ model, messages: user('Weather in Lima?'), tools: [weatherTool], toolChoice: 'any',
      parallelToolCalls: false, maxTokens: 64 });
    const calls = [];
    let finish = null;
    for await (const ev of stream) {
      const c = ev.data.choices[0];
      if (c && c.delta.toolCalls) calls.push(...c.delta.toolCalls);
      if (c && c.finishReason) finish = c.finishReason;
    }
    assert(finish === 'tool_calls', 'finish_reason tool_calls, got ' + finish);
    assert(calls.length === 1, 'one whole call: ' + JSON.stringify(calls));
    assert(calls[0].function.name === 'get_weather' && /^[a-zA-Z0-9]{9}$/.test(calls[0].id), 'name and id: ' + JSON.stringify(calls[0]));
    assert(typeof JSON.parse(calls[0].function.arguments).city === 'string', 'complete arguments: ' + calls[0].function.arguments);
  });
  await check('openai: responses function call, then its output sent back', async () => {
    const r = await openai.responses.create({ model, input: 'Weather in Paris?', max_output_tokens: 64, parallel_tool_calls: false,
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.function.parameters, strict: true }],
      tool_choice: 'required' });
    assert(r.status === 'completed', 'status ' + r.status);
    const call = r.output.find((o) => o.type === 'function_call');
    assert(call && call.name === 'get_weather' && call.call_id && call.status === 'completed', 'a function_call item: ' + JSON.stringify(r.output));
    assert(typeof JSON.parse(call.arguments).city === 'string', 'arguments: ' + call.arguments);
    const next = await openai.responses.create({ model, max_output_tokens: 4, input: [
      { role: 'user', content: 'Weather in Paris?' }, call,
      { type: 'function_call_output', call_id: call.call_id, output: '{"celsius": 21}' }] });
    assert(next.output[0].type === 'message', 'an answer after the tool result: ' + JSON.stringify(next.output));
    checkResponseUsage(next.usage);
  });
  await check('openai: responses.stream with a named function: argument deltas', async () => {
    const stream = openai.responses.stream({ model, input: 'Weather in Rome?', max_output_tokens: 64, parallel_tool_calls: false,
      tools: [{ type: 'function', name: 'get_weather', parameters: weatherTool.function.parameters }],
      tool_choice: { type: 'function', name: 'get_weather' } });
    const types = [];
    let args = '';
    let done = null;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
      if (ev.type === 'response.function_call_arguments.done') done = ev.arguments;
    }
    const final = await stream.finalResponse();
    assert(types.includes('response.function_call_arguments.delta') && done !== null, 'argument events: ' + types);
    assert(done === args && final.output[0].arguments === args, 'done and the final item carry the joined deltas');
    assert(typeof JSON.parse(args).city === 'string', 'arguments: ' + args);
    assert(types.at(-1) === 'response.completed', 'completed');
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
  await check('openai: responses text.format json_schema gives JSON that matches', async () => {
    const r = await openai.responses.create({ model, input: 'Rate this', max_output_tokens: 64,
      text: { format: { type: 'json_schema', name: 'rating', schema, strict: true } } });
    assert(r.status === 'completed', 'status ' + r.status);
    const v = JSON.parse(r.output_text);
    assert(Object.keys(v).sort().join() === 'answer,mood,score', 'keys: ' + r.output_text);
    assert(Number.isInteger(v.score) && v.score >= 0 && v.score <= 100 && ['happy', 'sad'].includes(v.mood), 'values: ' + r.output_text);
    assert(r.text.format.type === 'json_schema', 'echoes text.format');
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
