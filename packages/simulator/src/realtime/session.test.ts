import { describe, expect, it } from 'vitest';
import { VAD_FRAME_MS } from './server-vad.js';
import { RealtimeSession, type RealtimeSessionOptions } from './session.js';
import {
  appendPcm,
  concat,
  fakeDurationMs,
  fakeRecognize,
  fakeSynthesize,
  fakeVoice,
  pcmBase64,
  responseAudio,
  silenceSamples,
  types,
} from './test-support.js';

type Event = Record<string, unknown>;

function setup(options: Partial<RealtimeSessionOptions> = {}) {
  const events: Event[] = [];
  const session = new RealtimeSession({
    send: (e) => events.push(e),
    voice: fakeVoice,
    model: 'grok-voice-fast-1.0',
    speed: Number.POSITIVE_INFINITY,
    ...options,
  });
  session.start();
  const since = (from: number) => events.slice(from);
  const only = (type: string) => events.filter((e) => e.type === type);
  const last = (type: string) => only(type).at(-1);
  return { session, events, since, only, last };
}

const RATE = 24000;

function errorOf(event: Event | undefined): Record<string, unknown> {
  expect(event?.type).toBe('error');
  return event!.error as Record<string, unknown>;
}

describe('handshake', () => {
  it('sends conversation.created first, then session.updated with the effective session', () => {
    const { session, events } = setup();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'conversation.created',
      conversation: { object: 'realtime.conversation' },
    });
    expect(typeof (events[0]!.conversation as Event).id).toBe('string');
    expect(typeof events[0]!.event_id).toBe('string');

    session.handleEvent({
      type: 'session.update',
      session: {
        voice: 'rex',
        instructions: 'Be brief.',
        turn_detection: { type: 'server_vad', threshold: 0.5 },
      },
    });
    expect(types(events)).toEqual(['conversation.created', 'session.updated']);
    expect(events[1]!.session).toEqual({
      instructions: 'Be brief.',
      voice: 'Rex',
      turn_detection: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: 333,
        silence_duration_ms: 500,
      },
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24000 } },
        output: { format: { type: 'audio/pcm', rate: 24000 } },
      },
      tools: [],
    });
    expect(events[1]!.event_id).not.toBe(events[0]!.event_id);
    expect(session.sessionUpdates).toHaveLength(1);
  });

  it('merges successive updates and keeps fields not given', () => {
    const { session, last } = setup();
    session.handleEvent({
      type: 'session.update',
      session: { voice: 'Eve', tools: [{ type: 'web_search' }] },
    });
    session.handleEvent({
      type: 'session.update',
      session: { turn_detection: null, audio: { output: { format: { type: 'audio/pcmu' } } }, tools: null },
    });
    expect(last('session.updated')!.session).toMatchObject({
      voice: 'Eve',
      turn_detection: null,
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24000 } },
        output: { format: { type: 'audio/pcmu' } },
      },
      tools: [],
    });
  });
});

describe('session.update validation', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['voice not listed', { voice: 'Bob' }, 'session.voice', 'invalid_value'],
    ['voice not a string', { voice: 3 }, 'session.voice', 'invalid_type'],
    [
      'threshold too high',
      { turn_detection: { type: 'server_vad', threshold: 0.95 } },
      'session.turn_detection.threshold',
      'invalid_value',
    ],
    [
      'threshold too low',
      { turn_detection: { type: 'server_vad', threshold: 0.05 } },
      'session.turn_detection.threshold',
      'invalid_value',
    ],
    [
      'prefix padding negative',
      { turn_detection: { type: 'server_vad', prefix_padding_ms: -1 } },
      'session.turn_detection.prefix_padding_ms',
      'invalid_value',
    ],
    [
      'silence too long',
      { turn_detection: { type: 'server_vad', silence_duration_ms: 10001 } },
      'session.turn_detection.silence_duration_ms',
      'invalid_value',
    ],
    [
      'turn detection type',
      { turn_detection: { type: 'semantic_vad' } },
      'session.turn_detection.type',
      'invalid_value',
    ],
    [
      'turn detection unknown field',
      { turn_detection: { type: 'server_vad', eagerness: 'low' } },
      'session.turn_detection.eagerness',
      'unknown_parameter',
    ],
    [
      'pcm rate not supported',
      { audio: { input: { format: { type: 'audio/pcm', rate: 11025 } } } },
      'session.audio.input.format.rate',
      'invalid_value',
    ],
    [
      'pcmu with a rate',
      { audio: { output: { format: { type: 'audio/pcmu', rate: 16000 } } } },
      'session.audio.output.format.rate',
      'invalid_value',
    ],
    [
      'format type',
      { audio: { input: { format: { type: 'pcm16' } } } },
      'session.audio.input.format.type',
      'invalid_value',
    ],
    [
      'legacy format field',
      { input_audio_format: 'pcm16' },
      'session.input_audio_format',
      'unknown_parameter',
    ],
    ['tools not an array', { tools: {} }, 'session.tools', 'invalid_type'],
    [
      'nested function tool',
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      'session.tools[0].function',
      'unknown_parameter',
    ],
    [
      'function without name',
      { tools: [{ type: 'function', description: 'x' }] },
      'session.tools[0].name',
      'missing_required_parameter',
    ],
    [
      'bad function name',
      { tools: [{ type: 'function', name: 'get weather' }] },
      'session.tools[0].name',
      'invalid_value',
    ],
    [
      'parameters not an object',
      { tools: [{ type: 'function', name: 'f', parameters: 'x' }] },
      'session.tools[0].parameters',
      'invalid_type',
    ],
    [
      'duplicate function',
      {
        tools: [
          { type: 'function', name: 'f' },
          { type: 'function', name: 'f' },
        ],
      },
      'session.tools[1]',
      'invalid_value',
    ],
    [
      'unknown tool type',
      { tools: [{ type: 'code_interpreter' }] },
      'session.tools[0].type',
      'invalid_value',
    ],
    [
      'x_search handles',
      { tools: [{ type: 'x_search', allowed_x_handles: [1] }] },
      'session.tools[0].allowed_x_handles[0]',
      'invalid_type',
    ],
    [
      'file_search without ids',
      { tools: [{ type: 'file_search' }] },
      'session.tools[0].vector_store_ids',
      'missing_required_parameter',
    ],
    [
      'file_search max results',
      { tools: [{ type: 'file_search', vector_store_ids: ['c1'], max_num_results: 0 }] },
      'session.tools[0].max_num_results',
      'invalid_value',
    ],
    ['instructions not a string', { instructions: ['a'] }, 'session.instructions', 'invalid_type'],
  ];
  it.each(cases)('%s → error naming %s', (_name, update, param, code) => {
    const { session, events } = setup();
    session.handleEvent({ type: 'session.update', event_id: 'client_1', session: update });
    expect(events).toHaveLength(2);
    const error = errorOf(events[1]);
    expect(error).toMatchObject({ type: 'invalid_request_error', code, param, event_id: 'client_1' });
    expect(String(error.message)).toContain(param);
    // the update is atomic: nothing changed
    expect(session.session.voice).toBe('Ara');
    expect(session.session.tools).toEqual([]);
  });

  it('accepts every documented field', () => {
    const { session, last } = setup();
    session.handleEvent({
      type: 'session.update',
      session: {
        instructions: 'x',
        voice: 'LEO',
        turn_detection: {
          type: 'server_vad',
          threshold: 0.1,
          prefix_padding_ms: 0,
          silence_duration_ms: 10000,
        },
        audio: {
          input: { format: { type: 'audio/pcma' } },
          output: { format: { type: 'audio/pcm', rate: 44100 } },
        },
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: {} },
          },
          { type: 'web_search' },
          { type: 'x_search', allowed_x_handles: ['xai'] },
          { type: 'file_search', vector_store_ids: ['collection_1'], max_num_results: 5 },
        ],
      },
    });
    const updated = last('session.updated');
    expect(updated).toBeDefined();
    expect(session.session.voice).toBe('Leo');
    expect(session.session.tools).toHaveLength(4);
    expect(session.session.audio.input.format).toEqual({ type: 'audio/pcma' });
  });

  it('a missing session object is an error', () => {
    const { session, last } = setup();
    session.handleEvent({ type: 'session.update' });
    expect(errorOf(last('error'))).toMatchObject({ code: 'missing_required_parameter', param: 'session' });
  });
});

describe('client event errors', () => {
  it('names an unknown event type', () => {
    const { session, last } = setup();
    session.handleEvent({ type: 'session.create', event_id: 'e9' });
    const error = errorOf(last('error'));
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'type', event_id: 'e9' });
    expect(String(error.message)).toContain("'session.create'");
  });

  it('reports malformed JSON, a missing type and non-object events', () => {
    const { session, only } = setup();
    session.handleText('{"type": "response.create"');
    session.handleText('{"event_id":"a"}');
    session.handleText('[1,2]');
    const errors = only('error').map((e) => e.error as Event);
    expect(errors.map((e) => e.code)).toEqual(['invalid_json', 'missing_required_parameter', 'invalid_type']);
    expect(errors[1]).toMatchObject({ param: 'type', event_id: 'a' });
  });

  it('rejects bad base64 and a missing audio field', () => {
    const { session, only } = setup();
    session.handleEvent({ type: 'input_audio_buffer.append', audio: 'not base64!' });
    session.handleEvent({ type: 'input_audio_buffer.append' });
    session.handleEvent({ type: 'input_audio_buffer.append', audio: 5 });
    expect(only('error').map((e) => (e.error as Event).param)).toEqual(['audio', 'audio', 'audio']);
  });
});

/** 500 ms silence, `text` spoken, 800 ms silence — at `rate`. */
function utterance(text: string, rate = RATE, leadMs = 500, tailMs = 800): Int16Array {
  return concat(silenceSamples(leadMs, rate), fakeSynthesize(text, rate), silenceSamples(tailMs, rate));
}

describe('server VAD turn', () => {
  it('detects speech in audio time, transcribes it and answers', () => {
    const { session, events, only } = setup();
    session.handleEvent({
      type: 'session.update',
      session: { turn_detection: { type: 'server_vad', silence_duration_ms: 300 } },
    });
    const text = 'hello there';
    appendPcm(session, utterance(text), RATE, 40);

    const started = only('input_audio_buffer.speech_started');
    const stopped = only('input_audio_buffer.speech_stopped');
    expect(started).toHaveLength(1);
    expect(stopped).toHaveLength(1);
    expect(Math.abs((started[0]!.audio_start_ms as number) - 500)).toBeLessThanOrEqual(VAD_FRAME_MS);
    const endMs = 500 + fakeDurationMs(text);
    expect(Math.abs((stopped[0]!.audio_end_ms as number) - endMs)).toBeLessThanOrEqual(VAD_FRAME_MS);
    const itemId = started[0]!.item_id;
    expect(stopped[0]!.item_id).toBe(itemId);

    const turnTypes = types(events).slice(2);
    expect(turnTypes.slice(0, 6)).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.input_audio_transcription.completed',
      'response.created',
    ]);
    expect(only('input_audio_buffer.committed')[0]).toMatchObject({
      item_id: itemId,
      previous_item_id: null,
    });
    expect(only('conversation.item.added')[0]).toMatchObject({
      previous_item_id: null,
      item: { id: itemId, type: 'message', role: 'user', object: 'realtime.item' },
    });
    expect(only('conversation.item.input_audio_transcription.completed')[0]).toMatchObject({
      item_id: itemId,
      transcript: text,
    });

    const reply = 'You said: hello there.';
    const done = only('response.done');
    expect(done).toHaveLength(1);
    const response = done[0]!.response as Event;
    expect(response).toMatchObject({ object: 'realtime.response', status: 'completed' });
    const usage = response.usage as Record<string, number>;
    expect(usage.total_tokens).toBe(usage.input_tokens! + usage.output_tokens!);
    expect(usage.output_tokens).toBeGreaterThan(0);
    const transcript = only('response.output_audio_transcript.delta')
      .map((e) => e.delta)
      .join('');
    expect(transcript).toBe(reply);
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe(reply);
    expect(fakeRecognize(responseAudio(events), RATE)).toBe(reply);

    // 100 ms chunks, ordered: response.created … output_item.added … deltas … done events
    const deltas = only('response.output_audio.delta');
    expect(deltas.length).toBe(Math.ceil((fakeDurationMs(reply) * RATE) / 1000 / (RATE / 10)));
    expect(Buffer.from(deltas[0]!.delta as string, 'base64').length).toBe((RATE / 10) * 2);
    const responseTypes = types(events).filter((t) => t.startsWith('response.'));
    expect(responseTypes[0]).toBe('response.created');
    expect(responseTypes[1]).toBe('response.output_item.added');
    expect(responseTypes.slice(-5)).toEqual([
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
    ]);
    // the first transcript delta comes before the first audio delta
    expect(responseTypes.indexOf('response.output_audio_transcript.delta')).toBeLessThan(
      responseTypes.indexOf('response.output_audio.delta'),
    );
    const ids = new Set(
      deltas.map((d) => `${d.response_id}/${d.item_id}/${d.output_index}/${d.content_index}`),
    );
    expect(ids.size).toBe(1);
    expect(response.id).toBe(deltas[0]!.response_id);
    expect(session.activeResponse).toBeUndefined();
  });

  it('honours silence_duration_ms in audio time', () => {
    // a 400 ms pause splits the speech into two turns with 300 ms silence, not with 600 ms
    for (const [silenceMs, turns] of [
      [300, 2],
      [600, 1],
    ] as const) {
      const { session, only } = setup();
      session.handleEvent({
        type: 'session.update',
        session: { turn_detection: { type: 'server_vad', silence_duration_ms: silenceMs } },
      });
      const audio = concat(
        fakeSynthesize('one', RATE),
        silenceSamples(400, RATE),
        fakeSynthesize('two', RATE),
        silenceSamples(1000, RATE),
      );
      appendPcm(session, audio, RATE, 20);
      expect(only('input_audio_buffer.speech_started')).toHaveLength(turns);
      const transcripts = only('conversation.item.input_audio_transcription.completed').map(
        (e) => e.transcript,
      );
      // (the fake voice has no sound for silence, so one turn reads "onetwo")
      expect(transcripts).toEqual(turns === 2 ? ['one', 'two'] : ['onetwo']);
    }
  });

  it('hands prefix_padding_ms of audio before the speech to the recogniser', () => {
    const counts: number[] = [];
    for (const prefix of [0, 100]) {
      // a recogniser that reports how many samples it was given
      const counting = {
        ...fakeVoice,
        createRecognizer: () => {
          let n = 0;
          return {
            push: (s: Int16Array) => {
              n += s.length;
            },
            flush: () => {},
            get text() {
              return String(n);
            },
          };
        },
      };
      const { session, only } = setup({ voice: counting });
      session.handleEvent({
        type: 'session.update',
        session: { turn_detection: { type: 'server_vad', prefix_padding_ms: prefix } },
      });
      appendPcm(session, utterance('hi', RATE, 300, 700), RATE);
      counts.push(Number(only('conversation.item.input_audio_transcription.completed')[0]!.transcript));
    }
    expect(counts[1]! - counts[0]!).toBe(RATE / 10);
  });

  it('tolerates input_audio_buffer.commit while server VAD is on', () => {
    const { session, only, events } = setup();
    appendPcm(session, concat(silenceSamples(100, RATE), fakeSynthesize('wait', RATE)), RATE);
    session.handleEvent({ type: 'input_audio_buffer.commit' });
    expect(only('error')).toHaveLength(0);
    expect(only('input_audio_buffer.committed')).toHaveLength(1);
    expect(only('conversation.item.input_audio_transcription.completed')[0]!.transcript).toBe('wait');
    // a commit with nothing buffered is ignored
    const before = events.length;
    session.handleEvent({ type: 'input_audio_buffer.commit' });
    expect(events.length).toBe(before);
  });

  it('counts audio time across chunk sizes and odd byte splits identically', () => {
    const audio = utterance('odd split');
    const bytes = Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
    const results: unknown[] = [];
    for (const step of [4801, 333, 9600]) {
      const { session, only } = setup();
      for (let at = 0; at < bytes.length; at += step) {
        const part = bytes.subarray(at, at + step);
        session.handleEvent({ type: 'input_audio_buffer.append', audio: part.toString('base64') });
      }
      results.push([
        only('input_audio_buffer.speech_started')[0]?.audio_start_ms,
        only('input_audio_buffer.speech_stopped')[0]?.audio_end_ms,
        only('conversation.item.input_audio_transcription.completed')[0]?.transcript,
      ]);
    }
    const [start, end, transcript] = results[0] as [number, number, string];
    expect(start).toBe(500);
    expect(Math.abs(end - (500 + fakeDurationMs('odd split')))).toBeLessThanOrEqual(VAD_FRAME_MS);
    expect(transcript).toBe('odd split');
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('marks loud audio that is not the voice as unrecognised speech', () => {
    const { session, only } = setup();
    const noise = new Int16Array(RATE / 2);
    for (let i = 0; i < noise.length; i++) noise[i] = i % 2 === 0 ? 9000 : -9000;
    appendPcm(session, concat(noise, silenceSamples(700, RATE)), RATE);
    expect(only('conversation.item.input_audio_transcription.completed')[0]!.transcript).toBe(
      '[unrecognized speech]',
    );
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe('Sorry, I did not catch that.');
  });
});

describe('manual turns (turn_detection: null)', () => {
  it('commits on request and answers on response.create', () => {
    const { session, events, only, since } = setup();
    session.handleEvent({ type: 'session.update', session: { turn_detection: null } });
    appendPcm(session, utterance('manual mode'), RATE);
    expect(only('input_audio_buffer.speech_started')).toHaveLength(0);
    expect(only('response.created')).toHaveLength(0);
    const from = events.length;
    session.handleEvent({ type: 'input_audio_buffer.commit' });
    expect(types(since(from))).toEqual([
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.input_audio_transcription.completed',
    ]);
    expect(only('conversation.item.input_audio_transcription.completed')[0]!.transcript).toBe('manual mode');
    expect(only('response.created')).toHaveLength(0);
    session.handleEvent({ type: 'response.create' });
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe('You said: manual mode.');
  });

  it('an empty commit is an error; clear empties the buffer', () => {
    const { session, only, last } = setup();
    session.handleEvent({ type: 'session.update', session: { turn_detection: null } });
    session.handleEvent({ type: 'input_audio_buffer.commit', event_id: 'c1' });
    expect(errorOf(last('error'))).toMatchObject({ code: 'input_audio_buffer_commit_empty', event_id: 'c1' });
    appendPcm(session, utterance('gone'), RATE);
    session.handleEvent({ type: 'input_audio_buffer.clear' });
    expect(only('input_audio_buffer.cleared')).toHaveLength(1);
    session.handleEvent({ type: 'input_audio_buffer.commit' });
    expect(only('error')).toHaveLength(2);
    expect(only('input_audio_buffer.committed')).toHaveLength(0);
  });
});

describe('text items and replies', () => {
  function say(session: RealtimeSession, text: string): void {
    session.handleEvent({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
  }

  it('adds a user message and answers it', () => {
    const { session, only, events } = setup();
    say(session, 'Good morning!');
    expect(only('conversation.item.added')[0]).toMatchObject({
      previous_item_id: null,
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Good morning!' }] },
    });
    session.handleEvent({ type: 'response.create' });
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe('You said: Good morning.');
    expect(fakeRecognize(responseAudio(events), RATE)).toBe('You said: Good morning.');
    // the assistant item follows the user item
    const added = only('conversation.item.added');
    expect(added[1]).toMatchObject({
      previous_item_id: (added[0]!.item as Event).id,
      item: { role: 'assistant' },
    });
  });

  it('greets when there is nothing to answer, or says what response instructions ask', () => {
    const { session, only } = setup();
    session.handleEvent({ type: 'response.create' });
    session.handleEvent({ type: 'response.create', response: { instructions: 'Say: Welcome to the demo.' } });
    expect(only('response.output_audio_transcript.done').map((e) => e.transcript)).toEqual([
      'Hello, how can I help you today?',
      'Welcome to the demo.',
    ]);
  });

  it('validates items', () => {
    const { session, only } = setup();
    const bad: Array<[unknown, string]> = [
      [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'x' }] }, 'item.content[0].type'],
      [{ type: 'message', role: 'robot', content: [{ type: 'input_text', text: 'x' }] }, 'item.role'],
      [{ type: 'message', role: 'user', content: [] }, 'item.content'],
      [{ type: 'function_call_output', call_id: 'nope', output: '{}' }, 'item.call_id'],
      [{ type: 'function_call_output', call_id: 'nope', output: { a: 1 } }, 'item.output'],
      [{ type: 'image' }, 'item.type'],
      [undefined, 'item'],
    ];
    for (const [item, _param] of bad) session.handleEvent({ type: 'conversation.item.create', item });
    expect(only('error').map((e) => (e.error as Event).param)).toEqual(bad.map(([, p]) => p));
    expect(only('conversation.item.added')).toHaveLength(0);
  });

  it('rejects unknown response.create fields', () => {
    const { session, last } = setup();
    session.handleEvent({ type: 'response.create', response: { temperature: 2 } });
    expect(errorOf(last('error'))).toMatchObject({
      code: 'unknown_parameter',
      param: 'response.temperature',
    });
  });
});

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('function calls', () => {
  it('calls a matching tool and answers with its output', () => {
    const { session, events, only, since } = setup();
    session.handleEvent({
      type: 'session.update',
      session: { tools: [WEATHER_TOOL, { type: 'web_search' }] },
    });
    session.handleEvent({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: "What's the weather in Paris?" }],
      },
    });
    const from = events.length;
    session.handleEvent({ type: 'response.create' });
    const call = since(from);
    expect(types(call)).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'conversation.item.added',
      'response.output_item.done',
      'response.done',
    ]);
    const doneArgs = only('response.function_call_arguments.done')[0]!;
    expect(doneArgs).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const deltas = only('response.function_call_arguments.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe('{"city":"Paris"}');
    expect(deltas.every((d) => d.call_id === doneArgs.call_id)).toBe(true);
    const outputItem = only('response.output_item.added')[0]!.item as Event;
    expect(outputItem).toMatchObject({
      type: 'function_call',
      name: 'get_weather',
      call_id: doneArgs.call_id,
    });
    const response = only('response.done')[0]!.response as Event;
    expect(response).toMatchObject({
      status: 'completed',
      output: [
        {
          type: 'function_call',
          name: 'get_weather',
          call_id: doneArgs.call_id,
          arguments: '{"city":"Paris"}',
        },
      ],
    });
    expect(only('response.output_audio.delta')).toHaveLength(0);

    session.handleEvent({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: doneArgs.call_id, output: JSON.stringify('sunny') },
    });
    expect(only('conversation.item.added').at(-1)).toMatchObject({
      item: { type: 'function_call_output', call_id: doneArgs.call_id },
    });
    session.handleEvent({ type: 'response.create' });
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe(
      'The weather in Paris is sunny.',
    );
    expect(fakeRecognize(responseAudio(events), RATE)).toBe('The weather in Paris is sunny.');
  });

  it('accepts a restored function call and its output', () => {
    const { session, only } = setup();
    session.handleEvent({
      type: 'conversation.item.create',
      item: { type: 'function_call', call_id: 'c_old', name: 'get_time', arguments: '{}' },
    });
    session.handleEvent({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'c_old', output: '{"time":"noon"}' },
    });
    session.handleEvent({ type: 'response.create' });
    expect(only('error')).toHaveLength(0);
    expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe('The time is noon.');
  });

  it('uses server-side search tools only when configured', () => {
    for (const [tools, expected] of [
      [[], 'You said: search the news about rockets.'],
      [
        [{ type: 'web_search' }],
        'I searched the web for search the news about rockets and found a simulated page.',
      ],
    ] as const) {
      const { session, only } = setup();
      session.handleEvent({ type: 'session.update', session: { tools } });
      session.handleEvent({
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'search the news about rockets' }],
        },
      });
      session.handleEvent({ type: 'response.create' });
      expect(only('response.output_audio_transcript.done')[0]!.transcript).toBe(expected);
    }
  });
});

describe('cancellation and barge-in', () => {
  const LONG = 'This reply is long enough to still be playing when the test interrupts it.';

  it('response.cancel stops a paced response; a second cancel is an error', () => {
    const { session, events, only, last } = setup({ speed: 1, leadMs: 200 });
    session.handleEvent({ type: 'response.create', response: { instructions: `Say: ${LONG}` } });
    expect(session.activeResponse).toBeDefined();
    session.handleEvent({ type: 'response.create', event_id: 'again' });
    expect(errorOf(last('error'))).toMatchObject({
      code: 'conversation_already_has_active_response',
      event_id: 'again',
    });
    const sentChunks = only('response.output_audio.delta').length;
    expect(sentChunks).toBe(3); // the 200 ms lead: chunks due at 0, 100 and 200 ms
    session.handleEvent({ type: 'response.cancel' });
    const done = last('response.done')!.response as Event;
    expect(done).toMatchObject({
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'client_cancelled' },
    });
    expect((done.output as Event[])[0]).toMatchObject({ status: 'incomplete', role: 'assistant' });
    expect(session.activeResponse).toBeUndefined();
    // the transcript sent so far matches the audio sent so far
    const partial = only('response.output_audio_transcript.done')[0]!.transcript as string;
    expect(LONG.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(LONG.length);
    const tail = types(events).slice(-5);
    expect(tail).toEqual([
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.done',
    ]);
    session.handleEvent({ type: 'response.cancel', event_id: 'c2' });
    expect(errorOf(last('error'))).toMatchObject({ code: 'response_cancel_not_active', event_id: 'c2' });
    expect(only('response.output_audio.delta')).toHaveLength(sentChunks);
  });

  it('user speech during a response cancels it (barge-in)', () => {
    const { session, events, only } = setup({ speed: 1, leadMs: 0 });
    session.handleEvent({ type: 'response.create', response: { instructions: `Say: ${LONG}` } });
    const at = events.length;
    appendPcm(
      session,
      concat(silenceSamples(100, RATE), fakeSynthesize('stop', RATE), silenceSamples(700, RATE)),
      RATE,
    );
    const after = types(events.slice(at));
    expect(after[0]).toBe('input_audio_buffer.speech_started');
    const doneIndex = after.indexOf('response.done');
    expect(doneIndex).toBeGreaterThan(0);
    expect(after.slice(1, doneIndex)).not.toContain('response.output_audio.delta');
    const cancelled = only('response.done')[0]!.response as Event;
    expect(cancelled).toMatchObject({ status: 'cancelled', status_details: { reason: 'turn_detected' } });
    // then the new turn is answered
    expect(only('conversation.item.input_audio_transcription.completed')[0]!.transcript).toBe('stop');
    expect(only('response.created')).toHaveLength(2);
    session.close();
  });

  it('close() stops a paced response without sending more', () => {
    const { session, events } = setup({ speed: 1, leadMs: 0 });
    session.handleEvent({ type: 'response.create', response: { instructions: `Say: ${LONG}` } });
    const count = events.length;
    session.close();
    session.handleEvent({ type: 'response.create' });
    expect(events.length).toBe(count);
  });
});

describe('robustness', () => {
  it('a failure inside the simulator becomes a server_error event, and the session goes on', () => {
    const broken = {
      ...fakeVoice,
      synthesize: () => {
        throw new Error('boom');
      },
    };
    const { session, last, only } = setup({ voice: broken });
    session.handleEvent({ type: 'response.create', event_id: 'r1' });
    expect(last('error')!.error).toMatchObject({
      type: 'server_error',
      code: 'internal_error',
      event_id: 'r1',
    });
    expect(String((last('error')!.error as Event).message)).toContain('boom');
    expect(session.activeResponse).toBeUndefined();
    session.handleEvent({ type: 'session.update', session: { voice: 'Sal' } });
    expect(only('session.updated')).toHaveLength(1);
  });
});

describe('output formats', () => {
  it('streams audio at the configured pcm rate in 100 ms chunks', () => {
    const { session, events, only } = setup();
    session.handleEvent({
      type: 'session.update',
      session: { audio: { output: { format: { type: 'audio/pcm', rate: 16000 } } } },
    });
    session.handleEvent({ type: 'response.create' });
    const deltas = only('response.output_audio.delta');
    expect(Buffer.from(deltas[0]!.delta as string, 'base64').length).toBe(1600 * 2);
    expect(fakeRecognize(responseAudio(events), 16000)).toBe('Hello, how can I help you today?');
  });

  it('appends of the base64 pcm are counted in decoded bytes', () => {
    let bytes = 0;
    const { session } = setup({
      onAudioBytes: (n) => {
        bytes += n;
      },
    });
    session.handleEvent({ type: 'input_audio_buffer.append', audio: pcmBase64(new Int16Array(480)) });
    expect(bytes).toBe(960);
  });
});
