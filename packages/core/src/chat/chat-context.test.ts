import { describe, expect, it } from 'vitest';
import { ChatContext, messageText } from './chat-context.js';

function conversation(): ChatContext {
  const ctx = ChatContext.empty();
  ctx.addMessage({ role: 'system', content: 'Be brief.' });
  ctx.addMessage({ role: 'user', content: 'Weather in Paris and Rome?' });
  return ctx;
}

describe('ChatContext items', () => {
  it('gives every item an id and a creation time, and keeps order', () => {
    const before = Date.now();
    const ctx = conversation();
    const call = ctx.addFunctionCall({
      callId: 'c1',
      name: 'get_weather',
      arguments: '{"location":"Paris"}',
    });
    const out = ctx.addFunctionCallOutput({
      callId: 'c1',
      name: 'get_weather',
      output: '"sunny"',
      isError: false,
    });
    expect(ctx.items.map((i) => i.type)).toEqual([
      'message',
      'message',
      'function_call',
      'function_call_output',
    ]);
    const ids = new Set(ctx.items.map((i) => i.id));
    expect(ids.size).toBe(4);
    for (const item of ctx.items) {
      expect(item.createdAt).toBeGreaterThanOrEqual(before);
      expect(item.createdAt).toBeLessThanOrEqual(Date.now());
    }
    expect(call.id).toMatch(/^fc_/);
    expect(out.id).toMatch(/^fco_/);
    expect(ctx.getItem(call.id)).toBe(call);
  });

  it('uses a given id and marks assistant messages interrupted', () => {
    const ctx = ChatContext.empty();
    const msg = ctx.addMessage({ role: 'assistant', content: 'The weather in Paris is', id: 'a1' });
    expect(msg.interrupted).toBe(false);
    const updated = ctx.markInterrupted('a1', 'The weather');
    expect(updated).toMatchObject({ id: 'a1', content: 'The weather', interrupted: true });
    expect(ctx.items[0]).toBe(updated);
    expect(ctx.markInterrupted('nope')).toBeUndefined();
    const heard = ctx.addMessage({ role: 'assistant', content: 'Hi', interrupted: true });
    expect(heard.interrupted).toBe(true);
  });

  it('rejects an unknown role with a ConfigurationError naming the allowed roles', () => {
    const ctx = ChatContext.empty();
    expect(() => ctx.addMessage({ role: 'robot' as 'user', content: 'x' })).toThrow(
      /Invalid option "role": got "robot"; expected one of "system", "developer", "user", "assistant"/,
    );
  });

  it('copy() is independent of the original', () => {
    const ctx = conversation();
    const copy = ctx.copy();
    copy.addMessage({ role: 'assistant', content: 'Sunny.' });
    expect(ctx.items).toHaveLength(2);
    expect(copy.items).toHaveLength(3);
    expect(copy.items[0]).toBe(ctx.items[0]);
    ctx.removeItem(ctx.items[1]?.id as string);
    expect(copy.items).toHaveLength(3);
  });

  it('messageText joins text parts and skips images', () => {
    expect(
      messageText({
        content: [
          { type: 'text', text: 'What is ' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: 'this?' },
        ],
      }),
    ).toBe('What is this?');
  });
});

describe('ChatContext.toOpenAIMessages', () => {
  it('maps roles, keeps images for users and can send developer as system', () => {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'system', content: 'sys' });
    ctx.addMessage({ role: 'developer', content: 'dev' });
    ctx.addMessage({
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
      ],
    });
    ctx.addMessage({ role: 'user', content: [{ type: 'text', text: 'only text' }] });
    ctx.addMessage({ role: 'assistant', content: 'ok' });
    expect(ctx.toOpenAIMessages()).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'developer', content: 'dev' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        ],
      },
      { role: 'user', content: 'only text' },
      { role: 'assistant', content: 'ok' },
    ]);
    const asSystem = ctx.toOpenAIMessages({ developerRole: 'system', images: false });
    expect(asSystem[1]).toEqual({ role: 'system', content: 'dev' });
    expect(asSystem[2]).toEqual({ role: 'user', content: 'look' });
  });

  it('merges consecutive calls into one assistant message, folding the text before them', () => {
    const ctx = conversation();
    ctx.addMessage({ role: 'assistant', content: 'Let me check.' });
    ctx.addFunctionCall({ callId: 'c1', name: 'get_weather', arguments: '{"location":"Paris"}' });
    ctx.addFunctionCall({ callId: 'c2', name: 'get_weather', arguments: '{"location":"Rome"}' });
    ctx.addFunctionCallOutput({ callId: 'c1', name: 'get_weather', output: '"sunny"', isError: false });
    ctx.addFunctionCallOutput({ callId: 'c2', name: 'get_weather', output: '"rain"', isError: false });
    ctx.addMessage({ role: 'assistant', content: 'Paris is sunny, Rome rainy.' });
    expect(ctx.toOpenAIMessages()).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
          { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '"sunny"' },
      { role: 'tool', tool_call_id: 'c2', content: '"rain"' },
      { role: 'assistant', content: 'Paris is sunny, Rome rainy.' },
    ]);
  });

  it('starts a new assistant message for calls after a user message, and separates call groups', () => {
    const ctx = conversation();
    ctx.addFunctionCall({ callId: 'c1', name: 'a', arguments: '{}' });
    ctx.addFunctionCallOutput({ callId: 'c1', name: 'a', output: '1', isError: false });
    ctx.addFunctionCall({ callId: 'c2', name: 'b', arguments: '{}' });
    ctx.addFunctionCallOutput({ callId: 'c2', name: 'b', output: '2', isError: true });
    const messages = ctx.toOpenAIMessages();
    expect(messages.slice(2)).toEqual([
      {
        role: 'assistant',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '1' },
      {
        role: 'assistant',
        tool_calls: [{ id: 'c2', type: 'function', function: { name: 'b', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c2', content: '2' },
    ]);
  });

  it('places outputs right after their calls and drops orphans the API would reject', () => {
    const ctx = conversation();
    ctx.addFunctionCall({ callId: 'c1', name: 'a', arguments: '{}' });
    ctx.addFunctionCall({ callId: 'pending', name: 'b', arguments: '{}' }); // no output yet
    ctx.addMessage({ role: 'user', content: 'hurry' });
    ctx.addFunctionCallOutput({ callId: 'c1', name: 'a', output: '"late"', isError: false });
    ctx.addFunctionCallOutput({ callId: 'ghost', name: 'a', output: '"?"', isError: false }); // no call
    expect(ctx.toOpenAIMessages().slice(2)).toEqual([
      {
        role: 'assistant',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '"late"' },
      { role: 'user', content: 'hurry' },
    ]);
  });
});

describe('ChatContext.truncate', () => {
  function long(): ChatContext {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'system', content: 'sys' });
    for (let i = 0; i < 5; i++) {
      ctx.addMessage({ role: 'user', content: `u${i}` });
      ctx.addMessage({ role: 'assistant', content: `a${i}` });
    }
    return ctx;
  }
  const labels = (ctx: ChatContext) =>
    ctx.items.map((i) =>
      i.type === 'message'
        ? messageText(i)
        : i.type === 'function_call'
          ? `call:${i.callId}`
          : `out:${i.callId}`,
    );

  it('keeps the leading system message plus the newest items, in place', () => {
    const ctx = long();
    const result = ctx.truncate(4);
    expect(result).toBe(ctx);
    expect(labels(ctx)).toEqual(['sys', 'a3', 'u4', 'a4']);
  });

  it('does nothing when the context is short enough, and keeps a developer message too', () => {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'developer', content: 'dev' });
    ctx.addMessage({ role: 'user', content: 'u' });
    expect(labels(ctx.truncate(2))).toEqual(['dev', 'u']);
    ctx.addMessage({ role: 'assistant', content: 'a' });
    expect(labels(ctx.truncate(2))).toEqual(['dev', 'a']);
    expect(labels(ctx.truncate(1))).toEqual(['dev']);
  });

  it('never starts with a tool output or a call cut from its exchange', () => {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'system', content: 'sys' });
    ctx.addMessage({ role: 'user', content: 'u0' });
    ctx.addFunctionCall({ callId: 'c1', name: 'a', arguments: '{}' });
    ctx.addFunctionCall({ callId: 'c2', name: 'a', arguments: '{}' });
    ctx.addFunctionCallOutput({ callId: 'c1', name: 'a', output: '1', isError: false });
    ctx.addFunctionCallOutput({ callId: 'c2', name: 'a', output: '2', isError: false });
    ctx.addMessage({ role: 'assistant', content: 'a0' });
    ctx.addMessage({ role: 'user', content: 'u1' });
    // The last 4: out:c1, out:c2, a0, u1 → the outputs lost their calls and go.
    expect(labels(ctx.copy().truncate(5))).toEqual(['sys', 'a0', 'u1']);
    // The last 5 start with call:c2, whose output is kept; out:c1 lost its call.
    expect(labels(ctx.copy().truncate(6))).toEqual(['sys', 'call:c2', 'out:c2', 'a0', 'u1']);
    // Room for both calls and outputs: the exchange is kept whole.
    expect(labels(ctx.copy().truncate(7))).toEqual([
      'sys',
      'call:c1',
      'call:c2',
      'out:c1',
      'out:c2',
      'a0',
      'u1',
    ]);
    const unanswered = ctx.copy();
    unanswered.addFunctionCall({ callId: 'c3', name: 'a', arguments: '{}' });
    unanswered.addMessage({ role: 'assistant', content: 'a1' });
    // The last 2 start with c3, which never got an output: dropped.
    expect(labels(unanswered.truncate(3))).toEqual(['sys', 'a1']);
    for (const n of [2, 3, 4, 5, 6, 7]) {
      const t = ctx.copy().truncate(n);
      expect(t.items.length).toBeLessThanOrEqual(n);
      const calls = new Set(t.items.filter((i) => i.type === 'function_call').map((i) => i.callId));
      for (const item of t.items) {
        if (item.type === 'function_call_output') expect(calls.has(item.callId)).toBe(true);
      }
      const head = t.items[1];
      if (head?.type === 'function_call_output') throw new Error(`truncate(${n}) starts with an output`);
      if (head?.type === 'function_call') {
        expect(t.items.some((i) => i.type === 'function_call_output' && i.callId === head.callId)).toBe(true);
      }
    }
  });

  it('works without a system message and validates maxItems', () => {
    const ctx = ChatContext.empty();
    ctx.addMessage({ role: 'user', content: 'u0' });
    ctx.addMessage({ role: 'assistant', content: 'a0' });
    ctx.addMessage({ role: 'user', content: 'u1' });
    expect(labels(ctx.truncate(2))).toEqual(['a0', 'u1']);
    expect(() => ctx.truncate(0)).toThrow(/maxItems/);
    expect(() => ctx.truncate(1.5)).toThrow(/an integer ≥ 1/);
  });
});
