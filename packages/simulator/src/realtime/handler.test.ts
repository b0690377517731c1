import { alawEncode, mulawDecode, mulawEncode } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startSimulator } from '../server/simulator.js';
import { type Received, ofType, open } from '../server/test-helpers.js';
import type { Simulator } from '../server/types.js';
import { VoiceRecognizer, synthesizeVoice, voiceDurationMs } from '../voice/index.js';
import { VAD_FRAME_MS } from './server-vad.js';
import { concat, pcmBase64, silenceSamples } from './test-support.js';

type Event = Record<string, unknown>;

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface Client {
  ws: WebSocket;
  rec: Received;
  send(event: Event): void;
  /** Sends a session.update and waits for its session.updated. */
  configure(session: Event): Promise<Event>;
  close(): Promise<void>;
}

async function connectRealtime(query = 'model=grok-voice-fast-1.0&sim_speed=max'): Promise<Client> {
  sim ??= await startSimulator();
  const { ws, rec } = await open(`${sim.wsUrl}/realtime?${query}`);
  const send = (event: Event): void => ws.send(JSON.stringify(event));
  return {
    ws,
    rec,
    send,
    async configure(session) {
      const count = rec.json.filter(ofType('session.updated')).length;
      send({ type: 'session.update', session });
      return rec.until(ofType('session.updated'), count + 1);
    },
    async close() {
      ws.close();
      await rec.closed;
    },
  };
}

function sendAudio(client: Client, bytes: Uint8Array, chunkBytes: number): void {
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    const part = Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(chunkBytes, bytes.length - at));
    client.send({ type: 'input_audio_buffer.append', audio: part.toString('base64') });
  }
}

function sendPcm(client: Client, samples: Int16Array, rate: number, chunkMs = 100): void {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  sendAudio(client, bytes, Math.round((rate * chunkMs) / 1000) * 2);
}

function recognize(samples: Int16Array, rate: number): string {
  const recognizer = new VoiceRecognizer({ sampleRate: rate });
  recognizer.push(samples);
  recognizer.flush();
  return recognizer.text;
}

function audioOf(
  events: Event[],
  responseId: unknown,
  decode: (bytes: Uint8Array) => Int16Array,
): Int16Array {
  const parts = events
    .filter((e) => e.type === 'response.output_audio.delta' && e.response_id === responseId)
    .map((e) => decode(new Uint8Array(Buffer.from(e.delta as string, 'base64'))));
  return concat(...parts);
}

const pcm16 = (bytes: Uint8Array): Int16Array => {
  const copy = new Uint8Array(bytes);
  return new Int16Array(copy.buffer, 0, copy.byteLength >> 1);
};

describe('realtime endpoint over WebSocket', () => {
  it('handshake: conversation.created first, then session.updated; the log keeps what was sent', async () => {
    const client = await connectRealtime();
    const created = await client.rec.until(() => true);
    expect(created).toMatchObject({
      type: 'conversation.created',
      conversation: { object: 'realtime.conversation' },
    });
    const session = { instructions: 'Be brief.', voice: 'eve', turn_detection: null, tools: null };
    const updated = await client.configure(session);
    expect(updated.session).toMatchObject({
      instructions: 'Be brief.',
      voice: 'Eve',
      turn_detection: null,
      tools: [],
    });
    expect(client.rec.json.map((e) => e.type)).toEqual(['conversation.created', 'session.updated']);
    const record = sim!.log.connections.at(-1)!;
    expect(record.endpoint).toBe('realtime');
    expect(record.query.model).toBe('grok-voice-fast-1.0');
    expect(record.clientEvents).toEqual([{ type: 'session.update', session }]);
    await client.close();
  });

  it('refuses an unknown model with an error event and a 1008 close; a missing model is the default', async () => {
    const bad = await connectRealtime('model=gpt-4o-realtime');
    const error = await bad.rec.until(ofType('error'));
    expect(error.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    });
    expect((await bad.rec.closed).code).toBe(1008);
    expect(bad.rec.json.some((e) => e.type === 'conversation.created')).toBe(false);

    const newer = await connectRealtime('model=grok-voice-2.0-beta');
    await newer.rec.until(ofType('conversation.created'));
    await newer.close();
    const none = await connectRealtime('');
    await none.rec.until(ofType('conversation.created'));
    await none.close();
  });

  it('server VAD turn at 24 kHz: speech times, transcript, reply audio, event order', async () => {
    const rate = 24000;
    const client = await connectRealtime();
    await client.configure({
      turn_detection: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: 300,
        silence_duration_ms: 400,
      },
      audio: {
        input: { format: { type: 'audio/pcm', rate } },
        output: { format: { type: 'audio/pcm', rate } },
      },
    });
    const text = 'Hello, is anybody there?';
    const leadMs = 600;
    sendPcm(
      client,
      concat(silenceSamples(leadMs, rate), synthesizeVoice(text, rate), silenceSamples(800, rate)),
      rate,
    );
    const done = await client.rec.until(ofType('response.done'));
    const events = client.rec.json;

    const started = events.find(ofType('input_audio_buffer.speech_started'))!;
    const stopped = events.find(ofType('input_audio_buffer.speech_stopped'))!;
    expect(Math.abs((started.audio_start_ms as number) - leadMs)).toBeLessThanOrEqual(VAD_FRAME_MS);
    expect(Math.abs((stopped.audio_end_ms as number) - (leadMs + voiceDurationMs(text)))).toBeLessThanOrEqual(
      VAD_FRAME_MS,
    );
    const transcription = events.find(ofType('conversation.item.input_audio_transcription.completed'))!;
    expect(transcription.transcript).toBe(text);
    expect(transcription.item_id).toBe(started.item_id);

    const reply = 'You said: Hello, is anybody there.';
    const response = done.response as Event;
    expect(response.status).toBe('completed');
    expect(recognize(audioOf(events, response.id, pcm16), rate)).toBe(reply);
    const transcript = events
      .filter(ofType('response.output_audio_transcript.delta'))
      .map((e) => e.delta)
      .join('');
    expect(transcript).toBe(reply);

    const order = events.map((e) => e.type as string);
    const firstIndex = (t: string) => order.indexOf(t);
    const sequence = [
      'conversation.created',
      'session.updated',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.input_audio_transcription.completed',
      'response.created',
      'response.output_item.added',
      'response.output_audio_transcript.delta',
      'response.output_audio.delta',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.output_item.done',
      'response.done',
    ];
    const indexes = sequence.map(firstIndex);
    expect(indexes.every((i) => i >= 0)).toBe(true);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    // no audio after output_audio.done
    expect(order.lastIndexOf('response.output_audio.delta')).toBeLessThan(
      firstIndex('response.output_audio.done'),
    );
    await client.close();
  });

  it('G.711 µ-law at 8 kHz in and out', async () => {
    const client = await connectRealtime();
    await client.configure({
      turn_detection: { type: 'server_vad', silence_duration_ms: 300 },
      audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } },
    });
    const text = 'Phone call test';
    const codes = mulawEncode(
      concat(silenceSamples(300, 8000), synthesizeVoice(text, 8000), silenceSamples(600, 8000)),
    );
    sendAudio(client, codes, 160); // 20 ms telephony frames
    const done = await client.rec.until(ofType('response.done'));
    const events = client.rec.json;
    expect(events.find(ofType('conversation.item.input_audio_transcription.completed'))!.transcript).toBe(
      text,
    );
    const first = events.find(ofType('response.output_audio.delta'))!;
    expect(Buffer.from(first.delta as string, 'base64').length).toBe(800); // 100 ms of 1-byte samples
    const reply = audioOf(events, (done.response as Event).id, mulawDecode);
    expect(recognize(reply, 8000)).toBe('You said: Phone call test.');
    expect(sim!.log.connections.at(-1)!.audioBytesReceived).toBe(codes.length);
    await client.close();
  });

  it('A-law in at 8 kHz, pcm out at 44.1 kHz', async () => {
    const client = await connectRealtime();
    await client.configure({
      turn_detection: { type: 'server_vad', threshold: 0.9, silence_duration_ms: 200 },
      audio: {
        input: { format: { type: 'audio/pcma' } },
        output: { format: { type: 'audio/pcm', rate: 44100 } },
      },
    });
    const codes = alawEncode(
      concat(silenceSamples(200, 8000), synthesizeVoice('A-law works', 8000), silenceSamples(400, 8000)),
    );
    sendAudio(client, codes, 333);
    const done = await client.rec.until(ofType('response.done'));
    const events = client.rec.json;
    expect(events.find(ofType('conversation.item.input_audio_transcription.completed'))!.transcript).toBe(
      'A-law works',
    );
    const first = events.find(ofType('response.output_audio.delta'))!;
    expect(Buffer.from(first.delta as string, 'base64').length).toBe(4410 * 2);
    expect(recognize(audioOf(events, (done.response as Event).id, pcm16), 44100)).toBe(
      'You said: A-law works.',
    );
    await client.close();
  });

  it('manual turns: commit, then response.create', async () => {
    const rate = 16000;
    const client = await connectRealtime();
    await client.configure({
      turn_detection: null,
      audio: { input: { format: { type: 'audio/pcm', rate } } },
    });
    sendPcm(client, concat(synthesizeVoice('manual turn', rate), silenceSamples(200, rate)), rate, 20);
    client.send({ type: 'input_audio_buffer.commit' });
    const transcription = await client.rec.until(
      ofType('conversation.item.input_audio_transcription.completed'),
    );
    expect(transcription.transcript).toBe('manual turn');
    expect(client.rec.json.some((e) => e.type === 'input_audio_buffer.speech_started')).toBe(false);
    expect(client.rec.json.some((e) => e.type === 'response.created')).toBe(false);
    client.send({ type: 'response.create' });
    const done = await client.rec.until(ofType('response.output_audio_transcript.done'));
    expect(done.transcript).toBe('You said: manual turn.');
    await client.close();
  });

  it('tool call round trip with follow-up audio', async () => {
    const client = await connectRealtime();
    await client.configure({
      turn_detection: null,
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Get the weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
    });
    client.send({
      type: 'conversation.item.create',
      item: {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'What is the weather in Paris?' }],
      },
    });
    client.send({ type: 'response.create' });
    const args = await client.rec.until(ofType('response.function_call_arguments.done'));
    expect(args).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    await client.rec.until(ofType('response.done'));
    client.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: args.call_id, output: '{"conditions":"sunny"}' },
    });
    client.send({ type: 'response.create' });
    const second = await client.rec.until(ofType('response.done'), 2);
    const reply = 'The weather in Paris is sunny.';
    expect(client.rec.json.find(ofType('response.output_audio_transcript.done'))!.transcript).toBe(reply);
    expect(recognize(audioOf(client.rec.json, (second.response as Event).id, pcm16), 24000)).toBe(reply);
    await client.close();
  });

  it('response.cancel mid-response, and cancel with nothing active', async () => {
    const client = await connectRealtime('model=grok-voice-fast-1.0&sim_speed=1&sim_lead_ms=0');
    await client.configure({ turn_detection: null });
    client.send({
      type: 'response.create',
      response: { instructions: 'Say: This answer takes a few seconds to speak, so it can be cancelled.' },
    });
    await client.rec.until(ofType('response.output_audio.delta'));
    client.send({ type: 'response.cancel' });
    const done = await client.rec.until(ofType('response.done'));
    expect(done.response).toMatchObject({ status: 'cancelled' });
    const deltas = client.rec.json.filter(ofType('response.output_audio.delta')).length;
    expect(deltas).toBeLessThan(10);
    client.send({ type: 'response.cancel', event_id: 'late' });
    const error = await client.rec.until(ofType('error'));
    expect(error.error).toMatchObject({ code: 'response_cancel_not_active', event_id: 'late' });
    expect(client.rec.json.filter(ofType('response.output_audio.delta')).length).toBe(deltas);
    await client.close();
  });

  it('barge-in: user speech during a response cancels it and starts a new turn', async () => {
    const rate = 24000;
    const client = await connectRealtime('model=grok-voice-fast-1.0&sim_speed=1');
    await client.configure({ turn_detection: { type: 'server_vad', silence_duration_ms: 300 } });
    client.send({
      type: 'response.create',
      response: { instructions: 'Say: A long greeting that the user will talk over before it ends.' },
    });
    await client.rec.until(ofType('response.output_audio.delta'));
    sendPcm(
      client,
      concat(silenceSamples(100, rate), synthesizeVoice('Stop', rate), silenceSamples(500, rate)),
      rate,
    );
    const cancelled = await client.rec.until(ofType('response.done'));
    expect(cancelled.response).toMatchObject({ status: 'cancelled' });
    const order = client.rec.json.map((e) => e.type);
    expect(order.indexOf('input_audio_buffer.speech_started')).toBeLessThan(order.indexOf('response.done'));
    const transcription = await client.rec.until(
      ofType('conversation.item.input_audio_transcription.completed'),
    );
    expect(transcription.transcript).toBe('Stop');
    await client.rec.until(ofType('response.created'), 2);
    client.send({ type: 'response.cancel' });
    await client.rec.until(ofType('response.done'), 2);
    await client.close();
  });

  it('answers an unknown event type with an error naming it', async () => {
    const client = await connectRealtime();
    client.send({ type: 'conversation.item.truncate', event_id: 'ev1' });
    const error = await client.rec.until(ofType('error'));
    expect(error.error).toMatchObject({ type: 'invalid_request_error', param: 'type', event_id: 'ev1' });
    expect(String((error.error as Event).message)).toContain('conversation.item.truncate');
    client.ws.send('not json');
    const second = await client.rec.until(ofType('error'), 2);
    expect((second.error as Event).code).toBe('invalid_json');
    await client.close();
  });

  it('sends ping events when asked (sim_ping_ms) and refuses bad sim_ flags', async () => {
    const client = await connectRealtime('model=grok-voice-latest&sim_ping_ms=20');
    const ping = await client.rec.until(ofType('ping'), 2);
    expect(typeof ping.timestamp).toBe('number');
    await client.close();
    const bad = await connectRealtime('sim_speed=fast');
    expect((await bad.rec.until(ofType('error'))).error).toMatchObject({ param: 'sim_speed' });
    expect((await bad.rec.closed).code).toBe(1008);
  });

  it('counts appended audio bytes once', async () => {
    const client = await connectRealtime();
    await client.configure({ turn_detection: null });
    client.send({ type: 'input_audio_buffer.append', audio: pcmBase64(new Int16Array(4800)) });
    client.send({ type: 'input_audio_buffer.clear' });
    await client.rec.until(ofType('input_audio_buffer.cleared'));
    expect(sim!.log.connections.at(-1)!.audioBytesReceived).toBe(9600);
    await client.close();
  });
});
