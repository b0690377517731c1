import {
  Agent,
  type APIStatusError,
  functionTool,
  isAPIStatusError,
  isAPITimeoutError,
  MemoryAudioOutput,
  type RealtimeMetrics,
} from '@x/core';
import { startSimulator } from '@x/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { XAIRealtime } from './index.js';
import {
  clientEventsOf,
  countServerMessages,
  type Harness,
  harness,
  recognize,
  sleep,
  spokenFrames,
  until,
} from './test-support/helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
async function start(...args: Parameters<typeof harness>): Promise<Harness> {
  const h = await harness(...args);
  open.push(h);
  return h;
}

function weatherAgent(execute: (args: { city: string }) => unknown = () => ({ forecast: 'sunny' })): Agent {
  return new Agent({
    instructions: 'You are a weather assistant.',
    tools: [
      functionTool({
        name: 'get_weather',
        description: 'Gets the current weather for a city.',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string', description: 'The city' } },
          required: ['city'],
        },
        execute,
      }),
    ],
  });
}

function finals(h: Harness, role: 'user' | 'assistant'): string[] {
  return h.events
    .filter((e) => e.name === 'transcription')
    .map((e) => e.args[0] as { role: string; final: boolean; text: string })
    .filter((t) => t.role === role && t.final)
    .map((t) => t.text);
}

describe('XAIRealtime against the simulator', () => {
  it('a spoken turn at 48 kHz stereo: user transcript, audio reply decoded to the expected text, events in order', async () => {
    const h = await start();
    await h.model.connect();
    for (const frame of spokenFrames('what time is it')) h.model.pushAudio(frame);
    const [metrics] = (await h.model.waitFor('metrics', { timeoutMs: 8000 })) as [RealtimeMetrics];
    await until(() => h.names().includes('agent_speech_ended'));
    expect(h.names().filter((n) => !n.endsWith(':interim'))).toEqual([
      'user_speech_started',
      'user_speech_ended',
      'transcription:user:final',
      'agent_speech_started',
      'transcription:assistant:final',
      'agent_speech_ended',
      'metrics',
    ]);
    expect(finals(h, 'user')).toEqual(['what time is it']);
    expect(finals(h, 'assistant')).toEqual(['You said: what time is it.']);
    expect(recognize(h.output.audio())).toBe('You said: what time is it.');
    expect(h.output.sampleRate).toBeUndefined();
    expect(h.output.frames.every((f) => f.sampleRate === 24_000 && f.channels === 1)).toBe(true);
    expect(metrics).toMatchObject({
      type: 'realtime',
      provider: 'xai',
      model: 'grok-voice-fast-1.0',
      interrupted: false,
    });
    expect(metrics.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(metrics.usage?.completionTokens).toBeGreaterThan(0);
    // Input went out as 24 kHz mono PCM, in 40 ms appends (1920 bytes each).
    const appends = clientEventsOf(h.sim).filter((e) => e.type === 'input_audio_buffer.append');
    expect(Buffer.from(appends[0]!.audio as string, 'base64').length).toBe(1920);
    expect(clientEventsOf(h.sim).some((e) => e.type === 'input_audio_buffer.commit')).toBe(false);
    expect(h.model.history.map((e) => (e.type === 'message' ? `${e.role}: ${e.text}` : e.type))).toEqual([
      'user: what time is it',
      'assistant: You said: what time is it.',
    ]);
  });

  it('session.update carries every config field, the model goes in the URL, agent instructions win', async () => {
    const h = await start({
      model: 'grok-voice-think-fast-1.0',
      voice: 'rex',
      instructions: 'config instructions',
      turnDetection: { threshold: 0.7, prefixPaddingMs: 250, silenceDurationMs: 450 },
      enableWebSearch: true,
      enableXSearch: true,
      allowedXHandles: ['@xai', 'grok'],
      collectionId: 'collection_123',
      maxNumResults: 7,
      audioFormat: { type: 'pcm', sampleRate: 16_000 },
    });
    h.model.setAgent(weatherAgent());
    await h.model.connect();
    const connection = h.sim.log.connections.find((c) => c.endpoint === 'realtime')!;
    expect(connection.query.model).toBe('grok-voice-think-fast-1.0');
    expect(connection.headers.authorization).toMatch(/^Bearer /);
    expect(clientEventsOf(h.sim)[0]).toEqual({
      type: 'session.update',
      session: {
        instructions: 'You are a weather assistant.',
        voice: 'Rex',
        turn_detection: {
          type: 'server_vad',
          threshold: 0.7,
          prefix_padding_ms: 250,
          silence_duration_ms: 450,
        },
        audio: {
          input: { format: { type: 'audio/pcm', rate: 16_000 } },
          output: { format: { type: 'audio/pcm', rate: 16_000 } },
        },
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Gets the current weather for a city.',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string', description: 'The city' } },
              required: ['city'],
            },
          },
          { type: 'web_search' },
          { type: 'x_search', allowed_x_handles: ['xai', 'grok'] },
          { type: 'file_search', vector_store_ids: ['collection_123'], max_num_results: 7 },
        ],
      },
    });
    // The simulator accepted it (no error) and replies at the configured rate.
    h.model.sendText('hello');
    await h.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(h.events.some((e) => e.name === 'error')).toBe(false);
    expect(h.output.frames[0]?.sampleRate).toBe(16_000);
    expect(recognize(h.output.audio())).toBe('You said: hello.');
  });

  it('without an agent, config instructions and no function tools go on the wire; modalities ride on response.create', async () => {
    const h = await start({ instructions: 'Be brief.', modalities: ['audio'], turnDetection: null });
    await h.model.connect();
    const update = clientEventsOf(h.sim)[0] as { session: Record<string, unknown> };
    expect(update.session.instructions).toBe('Be brief.');
    expect(update.session.turn_detection).toBeNull();
    expect(update.session.voice).toBe('Ara');
    expect(update.session.tools).toEqual([]);
    h.model.createResponse();
    await h.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(clientEventsOf(h.sim).find((e) => e.type === 'response.create')).toEqual({
      type: 'response.create',
      response: { modalities: ['audio'] },
    });
  });

  it('barge-in: user speech sends response.cancel and stops the output within one frame', async () => {
    const h = await start({}, { query: { sim_speed: '1', sim_lead_ms: '100' }, paced: true });
    await h.model.connect();
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
    h.model.sendText(long);
    await h.model.waitFor('agent_speech_started', { timeoutMs: 5000 });
    await until(() => h.output.playedMs >= 300, 5000, '300 ms played');
    let framesAtBargeIn = -1;
    h.model.once('user_speech_started', () => {
      framesAtBargeIn = h.output.frames.length;
    });
    const ended = h.model.waitFor('agent_speech_ended', { timeoutMs: 5000 });
    for (const frame of spokenFrames('stop', { silenceMs: 100 })) h.model.pushAudio(frame);
    const [endedEvent] = (await ended) as [{ interrupted: boolean; playedMs: number }];
    expect(framesAtBargeIn).toBeGreaterThan(0);
    expect(endedEvent.interrupted).toBe(true);
    await sleep(400);
    // Nothing of the cut reply reached the output after the barge-in.
    expect(h.output.frames.length).toBe(framesAtBargeIn);
    const segment = h.output.segments[0]!;
    expect(segment.interrupted).toBe(true);
    expect(segment.playedMs).toBeLessThan(segment.pushedMs);
    expect(endedEvent.playedMs).toBeGreaterThanOrEqual(300);
    expect(endedEvent.playedMs).toBeLessThanOrEqual(segment.playedMs + 50);
    const sent = clientEventsOf(h.sim).map((e) => e.type);
    expect(sent).toContain('response.cancel');
    // The simulator cancels on speech itself, so our cancel may race it: that error is benign.
    expect(h.events.filter((e) => e.name === 'error')).toEqual([]);
    const cut = h.model.history.find((e) => e.type === 'message' && e.role === 'assistant');
    expect(cut).toMatchObject({ interrupted: true });
    const heard = cut?.type === 'message' ? cut.text : '';
    expect(`You said: ${long}.`.startsWith(heard)).toBe(true);
    expect(heard.length).toBeLessThan(`You said: ${long}.`.length);
    const metrics = h.events.filter((e) => e.name === 'metrics').map((e) => e.args[0] as RealtimeMetrics);
    expect(metrics[0]?.interrupted).toBe(true);
  });

  it('tool call round trip: arguments validated, output sent, one follow-up response', async () => {
    const calls: unknown[] = [];
    const h = await start();
    h.model.setAgent(
      weatherAgent((args) => {
        calls.push(args);
        return { forecast: 'sunny' };
      }),
    );
    await h.model.connect();
    h.model.sendText("What's the weather in Paris?");
    const [executed] = (await h.model.waitFor('function_executed', { timeoutMs: 5000 })) as [
      { name: string; isError: boolean; output: string; callId: string; arguments: string },
    ];
    expect(executed).toMatchObject({ name: 'get_weather', isError: false, output: '{"forecast":"sunny"}' });
    expect(JSON.parse(executed.arguments)).toEqual({ city: 'Paris' });
    expect(calls).toEqual([{ city: 'Paris' }]);
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the follow-up reply');
    expect(finals(h, 'assistant')).toEqual(['The weather in Paris is sunny.']);
    await until(() => h.names().includes('agent_speech_ended'));
    expect(recognize(h.output.audio())).toBe('The weather in Paris is sunny.');
    const sent = clientEventsOf(h.sim);
    const outputIndex = sent.findIndex(
      (e) =>
        e.type === 'conversation.item.create' && (e.item as { type: string }).type === 'function_call_output',
    );
    expect(sent[outputIndex]).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: executed.callId, output: '{"forecast":"sunny"}' },
    });
    expect(sent.slice(outputIndex + 1).map((e) => e.type)).toEqual(['response.create']);
    expect(h.model.history.map((e) => e.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'message',
    ]);
  });

  it('a throwing tool sends an error output and reports function_executed with isError', async () => {
    const h = await start();
    h.model.setAgent(
      weatherAgent(() => {
        throw new Error('weather service down');
      }),
    );
    await h.model.connect();
    h.model.sendText("What's the weather in Paris?");
    const [executed] = (await h.model.waitFor('function_executed', { timeoutMs: 5000 })) as [
      { isError: boolean; output: string },
    ];
    expect(executed.isError).toBe(true);
    expect(JSON.parse(executed.output).error).toContain('weather service down');
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the follow-up reply');
    expect(finals(h, 'assistant')[0]).toContain('failed');
    const output = clientEventsOf(h.sim).find(
      (e) =>
        e.type === 'conversation.item.create' && (e.item as { type: string }).type === 'function_call_output',
    );
    expect(JSON.parse((output!.item as { output: string }).output).error).toContain('weather service down');
  });

  it('manual turns: commitAudio() + createResponse(), no server VAD events', async () => {
    const h = await start({ turnDetection: null });
    await h.model.connect();
    for (const frame of spokenFrames('good morning', { silenceMs: 100 })) h.model.pushAudio(frame);
    h.model.commitAudio();
    h.model.createResponse();
    const [metrics] = (await h.model.waitFor('metrics', { timeoutMs: 5000 })) as [RealtimeMetrics];
    expect(finals(h, 'user')).toEqual(['good morning']);
    expect(finals(h, 'assistant')).toEqual(['You said: good morning.']);
    expect(h.names()).not.toContain('user_speech_started');
    const sent = clientEventsOf(h.sim).map((e) => e.type);
    expect(sent.filter((t) => t === 'input_audio_buffer.commit')).toHaveLength(1);
    expect(sent.indexOf('input_audio_buffer.commit')).toBeLessThan(sent.indexOf('response.create'));
    expect(metrics.ttfbMs).toBeGreaterThanOrEqual(0);
  });

  it('pcmu at 8 kHz: µ-law in (1 byte per sample) and out, speech still recognised both ways', async () => {
    const h = await start({ audioFormat: { type: 'pcmu' } });
    await h.model.connect();
    const frames = spokenFrames('call me back');
    for (const frame of frames) h.model.pushAudio(frame);
    await h.model.waitFor('metrics', { timeoutMs: 8000 });
    expect(finals(h, 'user')).toEqual(['call me back']);
    expect(h.output.frames.every((f) => f.sampleRate === 8000)).toBe(true);
    expect(recognize(h.output.audio())).toBe('You said: call me back.');
    const session = (clientEventsOf(h.sim)[0] as { session: { audio: unknown } }).session;
    expect(session.audio).toEqual({
      input: { format: { type: 'audio/pcmu' } },
      output: { format: { type: 'audio/pcmu' } },
    });
    // 8000 bytes per second of input (G.711: one byte per sample), minus the last partial batch.
    const inputMs = frames.length * 20;
    const bytes = h.sim.log.connections.find((c) => c.endpoint === 'realtime')!.audioBytesReceived;
    expect(bytes).toBeGreaterThan(((inputMs - 60) * 8000) / 1000);
    expect(bytes).toBeLessThanOrEqual((inputMs * 8000) / 1000);
  });

  it('pcma at 8 kHz works too', async () => {
    const h = await start({ audioFormat: { type: 'pcma' } });
    await h.model.connect();
    h.model.sendText('testing alaw');
    await h.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(recognize(h.output.audio())).toBe('You said: testing alaw.');
  });

  it('holds audio pushed before the session is ready and sends it once ready', async () => {
    const h = await start();
    for (const frame of spokenFrames('early bird')) h.model.pushAudio(frame);
    expect(h.sim.log.connections).toHaveLength(0);
    await h.model.connect();
    await h.model.waitFor('metrics', { timeoutMs: 8000 });
    expect(finals(h, 'user')).toEqual(['early bird']);
    const types = clientEventsOf(h.sim).map((e) => e.type);
    expect(types[0]).toBe('session.update');
    expect(types.slice(1).every((t) => t === 'input_audio_buffer.append')).toBe(true);
    expect(h.model.droppedInputMs).toBe(0);
  });

  it('reconnects after a mid-response drop and replays the history on the new connection', async () => {
    const sim = await startSimulator();
    open.push(sim);
    // Find how many messages the server sends up to the first audio of the second reply.
    const messages = await countServerMessages(sim, ['hello', 'tell me something long please']);
    sim.log.clear();
    const h = await start({ connectOptions: { retryIntervalMs: 20, maxRetry: 3, timeoutMs: 5000 } }, { sim });
    sim.injectFault('realtime', { kind: 'drop', afterMessages: messages.firstAudioOfReply[1]! + 2 });
    await h.model.connect();
    h.model.sendText('hello');
    await until(() => finals(h, 'assistant').length === 1, 5000, 'the first reply');
    const reconnected = h.model.waitFor('reconnected', { timeoutMs: 5000 });
    h.model.sendText('tell me something long please');
    const [info] = (await reconnected) as [{ attempts: number; replayedItems: number }];
    expect(info.replayedItems).toBe(4);
    await until(() => clientEventsOf(sim, 1).length >= 5, 2000, 'the replay to arrive');
    const second = clientEventsOf(sim, 1);
    expect(second[0]?.type).toBe('session.update');
    const replayed = second
      .slice(1, 5)
      .map((e) => e.item as { role: string; content: Array<{ type: string; text: string }> });
    expect(replayed.map((item) => [item.role, item.content[0]!.type])).toEqual([
      ['user', 'input_text'],
      ['assistant', 'output_text'],
      ['user', 'input_text'],
      ['assistant', 'output_text'],
    ]);
    expect(replayed.slice(0, 3).map((item) => item.content[0]!.text)).toEqual([
      'hello',
      'You said: hello.',
      'tell me something long please',
    ]);
    // The cut reply is replayed as far as it got.
    const partial = replayed[3]!.content[0]!.text;
    expect(partial.length).toBeGreaterThan(0);
    expect('You said: tell me something long please.'.startsWith(partial)).toBe(true);
    // And the session keeps working.
    const before = finals(h, 'assistant').length;
    h.model.sendText('are you back');
    await until(
      () => finals(h, 'assistant').includes('You said: are you back.'),
      5000,
      'a reply after the reconnect',
    );
    expect(finals(h, 'assistant').length).toBeGreaterThan(before);
    expect(h.events.filter((e) => e.name === 'error')).toEqual([]);
  });

  it('a reconnect refused with 401 is reported as a fatal error and closes the model', async () => {
    const sim = await startSimulator();
    open.push(sim);
    sim.injectFault('realtime', { kind: 'drop', afterMessages: 3 });
    const h = await start({ connectOptions: { retryIntervalMs: 20, maxRetry: 3, timeoutMs: 5000 } }, { sim });
    await h.model.connect();
    sim.injectFault('realtime', { kind: 'handshake', status: 401 }, { times: 5 });
    const failed = h.model.waitFor('error', { timeoutMs: 5000 });
    h.model.sendText('hello');
    const [error] = (await failed) as [APIStatusError];
    expect(error.status).toBe(401);
    await until(() => h.model.connectionState === 'closed', 2000, 'the model to close');
    // One refused reconnect, no retries after it.
    expect(sim.log.connections.filter((c) => c.endpoint === 'realtime')).toHaveLength(2);
    expect(h.names()).not.toContain('reconnected');
  });

  it('a socket dropped during the handshake is retried', async () => {
    const sim = await startSimulator();
    open.push(sim);
    sim.injectFault('realtime', { kind: 'drop', afterMessages: 1 });
    const h = await start({}, { sim });
    await h.model.connect();
    expect(sim.log.connections.filter((c) => c.endpoint === 'realtime')).toHaveLength(2);
    h.model.sendText('made it');
    await h.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(finals(h, 'assistant')).toEqual(['You said: made it.']);
  });

  it('resamples agent audio to the output rate', async () => {
    const h = await start();
    const output48k = new MemoryAudioOutput({ sampleRate: 48_000 });
    open.push(output48k);
    h.model.output = output48k;
    await h.model.connect();
    h.model.sendText('higher rate');
    await h.model.waitFor('agent_speech_ended', { timeoutMs: 5000 });
    expect(output48k.frames.length).toBeGreaterThan(0);
    expect(output48k.frames.every((f) => f.sampleRate === 48_000)).toBe(true);
    expect(recognize(output48k.audio())).toBe('You said: higher rate.');
    expect(h.output.frames).toHaveLength(0);
  });

  it('a 401 on the handshake is a typed fatal error, not retried', async () => {
    const sim = await startSimulator();
    open.push(sim);
    sim.injectFault('realtime', { kind: 'handshake', status: 401 }, { times: 5 });
    const h = await start({}, { sim });
    const error = await h.model.connect().catch((e: unknown) => e);
    expect(isAPIStatusError(error)).toBe(true);
    expect((error as APIStatusError).status).toBe(401);
    expect((error as APIStatusError).retryable).toBe(false);
    expect(sim.log.connections.filter((c) => c.endpoint === 'realtime')).toHaveLength(1);
    expect(String((error as Error).message)).not.toContain('test-key');
  });

  it('an invalid key is refused and not retried; a 503 is retried', async () => {
    const sim = await startSimulator();
    open.push(sim);
    const bad = await start({ apiKey: 'invalid-key' }, { sim });
    await expect(bad.model.connect()).rejects.toSatisfy(
      (e: unknown) => isAPIStatusError(e) && !e.retryable && [400, 401, 403].includes(e.status),
    );
    expect(sim.log.connections).toHaveLength(1);
    sim.log.clear();
    sim.injectFault('realtime', { kind: 'handshake', status: 503 });
    const good = await start({}, { sim });
    await good.model.connect();
    expect(sim.log.connections).toHaveLength(2);
    expect(good.model.connectionState).toBe('ready');
  });

  it('a handshake that never completes times out with APITimeoutError', async () => {
    const sim = await startSimulator();
    open.push(sim);
    sim.injectFault('realtime', { kind: 'stall', ms: 3000, afterMessages: 0 });
    const h = await start({ handshakeTimeoutMs: 200, connectOptions: { maxRetry: 0 } }, { sim });
    const started = performance.now();
    const error = await h.model.connect().catch((e: unknown) => e);
    expect(isAPITimeoutError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('tolerates an unknown server event and reports a malformed one without stopping', async () => {
    const sim = await startSimulator();
    open.push(sim);
    sim.injectFault('realtime', { kind: 'unknown_event', afterMessages: 3 });
    const h = await start({}, { sim });
    await h.model.connect();
    h.model.sendText('still there');
    await h.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(h.names()).toContain('unknown_event');
    const unknown = h.events.find((e) => e.name === 'unknown_event')?.args[0] as { type: string } | undefined;
    expect(unknown?.type).toBe('sim.unknown_event');
    expect(finals(h, 'assistant')).toEqual(['You said: still there.']);

    sim.injectFault('realtime', { kind: 'malformed', afterMessages: 3 });
    const m = await start({}, { sim });
    await m.model.connect();
    m.model.sendText('again');
    await m.model.waitFor('metrics', { timeoutMs: 5000 });
    expect(m.names()).toContain('error');
    expect(finals(m, 'assistant')).toEqual(['You said: again.']);
    expect(m.model.connectionState).toBe('ready');
  });

  it('mints a client secret and connects with it', async () => {
    const h = await start();
    const secret = await h.model.createClientSecret({ expiresAfterS: 120 });
    expect(typeof secret.value).toBe('string');
    expect(secret.expiresAt.getTime()).toBeGreaterThan(Date.now() + 100_000);
    expect(secret.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 121_000);
    const withSecret = new XAIRealtime({ apiKey: secret.value, baseURL: `${h.sim.wsUrl}?sim_speed=max` });
    open.push(withSecret);
    await withSecret.connect();
    expect(withSecret.connectionState).toBe('ready');
    await expect(h.model.createClientSecret({ expiresAfterS: 0 })).rejects.toThrow(/expiresAfterS/);
  });
});
