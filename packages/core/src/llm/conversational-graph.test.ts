import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConversationalGraphStream,
  parseConversationalGraphReply,
  resolveConversationalGraph,
} from './conversational-graph.js';

const jsonGraph = {
  name: 'step',
  schema: {
    type: 'object' as const,
    properties: {
      response_to_user: { type: 'string' as const },
      next_state: { type: 'string' as const, enum: ['a', 'b'] },
    },
    required: ['response_to_user', 'next_state'],
    additionalProperties: false,
  },
};

describe('conversational graphs', () => {
  it('resolves zod and JSON Schema graphs', () => {
    const zodGraph = resolveConversationalGraph({
      name: 'z',
      schema: z.object({ response_to_user: z.string(), mood: z.enum(['ok', 'sad']) }),
    });
    expect(zodGraph.jsonSchema).toMatchObject({
      type: 'object',
      properties: { response_to_user: { type: 'string' } },
      required: ['response_to_user', 'mood'],
    });
    expect(resolveConversationalGraph(jsonGraph).jsonSchema).toEqual(jsonGraph.schema);
  });

  it('rejects a graph without a string response_to_user or with a bad name', () => {
    expect(() => resolveConversationalGraph({ name: 'g', schema: z.object({ reply: z.string() }) })).toThrow(
      /conversationalGraph.schema.*response_to_user/,
    );
    expect(() =>
      resolveConversationalGraph({
        name: 'g',
        schema: { type: 'object', properties: { response_to_user: { type: 'number' } } },
      }),
    ).toThrow(/response_to_user/);
    expect(() => resolveConversationalGraph({ name: 'bad name', schema: jsonGraph.schema })).toThrow(
      /conversationalGraph.name/,
    );
  });

  it('streams the spoken text and parses the full reply', () => {
    const stream = new ConversationalGraphStream(resolveConversationalGraph(jsonGraph));
    const json = '{"next_state":"b","response_to_user":"All \\"set\\"."}';
    const spoken: string[] = [];
    for (let i = 0; i < json.length; i += 5) spoken.push(stream.push(json.slice(i, i + 5)));
    expect(spoken.join('')).toBe('All "set".');
    expect(stream.spokenText).toBe('All "set".');
    expect(stream.raw).toBe(json);
    expect(stream.finish()).toEqual({ ok: true, value: { next_state: 'b', response_to_user: 'All "set".' } });
  });

  it('reports replies that are not JSON or do not match the schema', () => {
    const resolved = resolveConversationalGraph(jsonGraph);
    const notJson = parseConversationalGraphReply(resolved, '{"response_to_user": "cut');
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.error).toMatch(/not valid JSON/);
    const wrong = parseConversationalGraphReply(resolved, '{"response_to_user":"x","next_state":"c"}');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error).toMatch(/\$\.next_state: must be one of "a", "b"/);
    const zodResolved = resolveConversationalGraph({
      name: 'z',
      schema: z.object({ response_to_user: z.string(), n: z.number() }),
    });
    const zodWrong = parseConversationalGraphReply(zodResolved, '{"response_to_user":"x","n":"1"}');
    expect(zodWrong.ok).toBe(false);
  });
});
