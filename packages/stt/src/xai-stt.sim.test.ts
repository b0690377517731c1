import { type APIStatusError, isAPIError, isAPIStatusError, type ReconnectedEvent } from '@x/core';
import { type Simulator, startSimulator, synthesizeVoice, voiceDurationMs } from '@x/simulator';
import { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type XAISTTOptions, XAI_STT_ENCODINGS, XAI_STT_SAMPLE_RATES } from './options.js';
import { pushSamples, recorder, silenceSamples, toStereo } from './test-helpers.js';
import { XAISTT } from './xai-stt.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.log.clear();
});

const KEY = 'sim-key-0123456789';
const FAST_RETRY = { maxRetry: 3, retryIntervalMs: 20, timeoutMs: 3000 };
const LONG_TEXT =
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen ' +
  'seventeen eighteen nineteen twenty twenty one twenty two twenty three twenty four twenty five ' +
  'twenty six twenty seven twenty eight';

function makeSTT(options: XAISTTOptions = {}): XAISTT {
  return new XAISTT({ apiKey: KEY, baseURL: sim.wsUrl, connectOptions: FAST_RETRY, ...options });
}

/** Bytes the STT put on the wire for the audio pushed (its clock), at its rate and encoding. */
function wireBytes(stt: XAISTT): number {
  const perSample = stt.options.encoding === 'pcm' ? 2 : 1;
  return (
    Math.round((stt.audioPushedMs * stt.options.sampleRate) / 1000) * perSample * stt.audioFormat.channels
  );
}

function receivedBytes(): number {
  return sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0);
}

describe('XAISTT against the simulator: audio paths', () => {
  for (const sampleRate of XAI_STT_SAMPLE_RATES) {
    for (const encoding of XAI_STT_ENCODINGS) {
      it(`${sampleRate} Hz ${encoding}: the exact text, every byte sent`, async () => {
        const stt = makeSTT({ sampleRate, encoding, interimResults: false });
        const rec = recorder(stt);
        pushSamples(stt, synthesizeVoice('hello world', sampleRate), sampleRate);
        await stt.flush();
        await stt.close();
        expect(rec.finals().map((e) => e.text)).toEqual(['hello world']);
        const [connection] = sim.log.connections;
        expect(connection?.query).toMatchObject({ sample_rate: String(sampleRate), encoding });
        // Sent in chunks of 100 ms (the last one may be shorter), nothing lost.
        expect(connection!.audioBytesReceived).toBe(wireBytes(stt));
        expect(connection!.clientEvents).toEqual([{ type: 'audio.done' }]);
      });
    }
  }

  for (const resamplerQuality of ['voice', 'fast', 'high'] as const) {
    for (const sampleRate of [8000, 16000] as const) {
      it(`48 kHz pushed into a ${sampleRate / 1000} kHz STT with the '${resamplerQuality}' resampler: the exact text`, async () => {
        const stt = makeSTT({ sampleRate, interimResults: false, resamplerQuality });
        expect(stt.resamplerQuality).toBe(resamplerQuality);
        const rec = recorder(stt);
        pushSamples(stt, synthesizeVoice('please call me back tomorrow', 48000), 48000);
        await stt.flush();
        await stt.close();
        expect(rec.text()).toBe('please call me back tomorrow');
        expect(sim.log.connections[0]!.audioBytesReceived).toBe(wireBytes(stt));
      });
    }
  }

  it('chunks sent in one turn of the event loop leave in one write: the TCP socket is corked around them', async () => {
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    await stt.connect();
    const corks: string[] = [];
    const cork = Socket.prototype.cork;
    const uncork = Socket.prototype.uncork;
    Socket.prototype.cork = function (this: Socket) {
      corks.push('cork');
      return cork.call(this);
    };
    Socket.prototype.uncork = function (this: Socket) {
      corks.push('uncork');
      return uncork.call(this);
    };
    try {
      // 1 s at once: ten 100 ms chunks in the same turn.
      pushSamples(stt, synthesizeVoice('one two three', 16000).subarray(0, 16000), 16000);
      expect(corks).toEqual(['cork']);
      await Promise.resolve();
      expect(corks).toEqual(['cork', 'uncork']);
    } finally {
      Socket.prototype.cork = cork;
      Socket.prototype.uncork = uncork;
    }
    await stt.close();
    expect(sim.log.connections[0]!.audioBytesReceived).toBe(wireBytes(stt));
  });

  it('48 kHz stereo pushed into a 16 kHz mono STT: the exact text', async () => {
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, toStereo(synthesizeVoice('good morning', 48000)), 48000, 2);
    await stt.flush();
    await stt.close();
    expect(rec.text()).toBe('good morning');
    expect(sim.log.connections[0]!.audioBytesReceived).toBe(wireBytes(stt));
  });

  it('input at every supported rate into the default 48 kHz STT, one utterance each', async () => {
    const stt = makeSTT({ interimResults: false });
    const rec = recorder(stt);
    const rates = [8000, 16000, 22050, 24000, 32000, 44100] as const;
    for (const rate of rates) {
      pushSamples(stt, synthesizeVoice(`rate ${rate}`, rate), rate);
      pushSamples(stt, silenceSamples(100, rate), rate);
      await stt.flush();
    }
    await stt.close();
    expect(rec.finals().map((e) => e.text)).toEqual(rates.map((rate) => `rate ${rate}`));
    const finals = rec.finals();
    for (let i = 1; i < finals.length; i++)
      expect(finals[i]!.startMs).toBeGreaterThanOrEqual(finals[i - 1]!.endMs);
  });

  it('odd chunk sizes (1, 7, 331, 1009 … samples) give the exact text', async () => {
    const stt = makeSTT({ interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice('odd chunks work', 44100), 44100, 1, [1, 7, 331, 1009, 2, 4801, 3]);
    await stt.flush();
    await stt.close();
    expect(rec.text()).toBe('odd chunks work');
  });
});

describe('XAISTT against the simulator: transcripts', () => {
  it('interim transcripts come first, then the final; words carry millisecond times', async () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const stt = makeSTT({ sampleRate: 16000 });
    const rec = recorder(stt);
    pushSamples(stt, silenceSamples(200, 16000), 16000);
    pushSamples(stt, synthesizeVoice(text, 16000), 16000);
    await stt.flush();
    await stt.close();
    const types = rec.events.map((e) => e.type);
    expect(types.filter((t) => t === 'interim').length).toBeGreaterThanOrEqual(1);
    expect(types.at(-1)).toBe('final');
    expect(types.indexOf('final')).toBe(types.length - 1);
    const final = rec.finals()[0]!;
    expect(final.text).toBe(text);
    expect(final.language).toBe('en');
    expect(final.words.map((w) => w.text)).toEqual(text.split(' '));
    // Speech starts after 200 ms of silence and lasts voiceDurationMs: times are in ms, not seconds.
    expect(final.words[0]!.startMs).toBeGreaterThanOrEqual(200);
    expect(final.words[0]!.startMs).toBeLessThan(300);
    expect(final.endMs).toBeGreaterThan(200 + voiceDurationMs(text) - 100);
    expect(final.endMs).toBeLessThanOrEqual(stt.audioPushedMs);
    for (const interim of rec.events.filter((e) => e.type === 'interim')) {
      expect(text.startsWith(interim.text)).toBe(true);
    }
  });

  it('long speech: locked chunks then a final with only the rest; nothing lost or repeated', async () => {
    expect(voiceDurationMs(LONG_TEXT)).toBeGreaterThan(6000);
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice(LONG_TEXT, 16000), 16000);
    await stt.flush();
    await stt.close();
    const locked = rec.events.filter((e) => e.type === 'locked');
    expect(locked.length).toBeGreaterThanOrEqual(2);
    expect(rec.finals()).toHaveLength(1);
    expect(rec.text()).toBe(LONG_TEXT);
    expect(rec.finals()[0]!.utteranceText).toBe(LONG_TEXT);
    const words = rec.events.filter((e) => e.type !== 'interim').flatMap((e) => e.words);
    expect(words.map((w) => w.text).join(' ')).toBe(LONG_TEXT);
    for (let i = 1; i < words.length; i++)
      expect(words[i]!.startMs).toBeGreaterThanOrEqual(words[i - 1]!.endMs);
  });

  it('flush() sends endpointing silence and resolves when the final has arrived', async () => {
    const stt = makeSTT({ sampleRate: 24000, endpointing: 300, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice('flush me', 24000), 24000);
    const pushed = stt.audioPushedMs;
    await stt.flush();
    expect(rec.finals().map((e) => e.text)).toEqual(['flush me']);
    // endpointing + 50 ms of silence was appended.
    expect(stt.audioPushedMs - pushed).toBeGreaterThanOrEqual(350);
    expect(stt.audioPushedMs - pushed).toBeLessThan(450);
    await stt.close();
  });

  it('close() sends audio.done, reports transcript.done as the final and releases the socket', async () => {
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice('see you later', 16000), 16000);
    await stt.connect();
    await stt.close();
    expect(rec.finals().map((e) => e.text)).toEqual(['see you later']);
    const [connection] = sim.log.connections;
    expect(connection!.clientEvents).toEqual([{ type: 'audio.done' }]);
    expect(connection!.audioBytesReceived).toBe(wireBytes(stt));
    await expect.poll(() => sim.log.connections[0]!.closedAt).toBeDefined();
    expect(stt.state).toBe('closed');
  });

  it('multichannel with diarization: one transcript per channel, with channel index and speaker', async () => {
    const stt = makeSTT({
      sampleRate: 16000,
      multichannel: true,
      channels: 2,
      diarize: true,
      interimResults: false,
    });
    const rec = recorder(stt);
    const left = synthesizeVoice('left side', 16000);
    const right = synthesizeVoice('right side', 16000);
    const n = Math.max(left.length, right.length);
    const stereo = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) {
      stereo[2 * i] = left[i] ?? 0;
      stereo[2 * i + 1] = right[i] ?? 0;
    }
    pushSamples(stt, stereo, 16000, 2);
    await stt.flush();
    await stt.close();
    expect(sim.log.connections[0]!.query).toMatchObject({
      multichannel: 'true',
      channels: '2',
      diarize: 'true',
    });
    const byChannel = new Map(rec.finals().map((e) => [e.channelIndex, e.text]));
    expect(byChannel.get(0)).toBe('left side');
    expect(byChannel.get(1)).toBe('right side');
    expect(rec.finals().every((e) => e.speaker === 0 && e.words.every((w) => w.speaker === 0))).toBe(true);
  });
});

describe('XAISTT against the simulator: failures', () => {
  it('reconnects after the socket drops mid-utterance: full text, monotonic times, no audio lost', async () => {
    sim.injectFault('stt', { kind: 'drop', afterMessages: 2 }, { times: 1 });
    const stt = makeSTT({ sampleRate: 16000 });
    const rec = recorder(stt);
    const reconnects: ReconnectedEvent[] = [];
    stt.on('reconnected', (e) => reconnects.push(e));
    const text = 'the quick brown fox jumps over the lazy dog';
    pushSamples(stt, synthesizeVoice(text, 16000), 16000);
    await expect.poll(() => reconnects.length, { timeout: 3000 }).toBe(1);
    pushSamples(stt, silenceSamples(300, 16000), 16000);
    pushSamples(stt, synthesizeVoice('after the drop', 16000), 16000);
    await stt.flush();
    await stt.close();
    expect(sim.log.connections.length).toBe(2);
    expect(rec.finals().map((e) => e.text)).toEqual([text, 'after the drop']);
    expect(rec.errors.some((e) => isAPIError(e) && e.retryable)).toBe(true);
    // Every byte pushed reached the server; the unfinished utterance was sent again.
    expect(receivedBytes()).toBeGreaterThanOrEqual(wireBytes(stt));
    expect(reconnects[0]!.replayedMs).toBeGreaterThan(0);
    const [first, second] = rec.finals();
    expect(first!.startMs).toBeLessThan(100);
    expect(second!.startMs).toBeGreaterThanOrEqual(first!.endMs);
    // The second utterance started after the first one plus 300 ms of silence.
    expect(second!.startMs).toBeGreaterThanOrEqual(voiceDurationMs(text) + 250);
  });

  it('a drop during long speech after locked chunks: nothing repeated, nothing lost', async () => {
    // created, locked, locked → drop after the second locked chunk.
    sim.injectFault('stt', { kind: 'drop', afterMessages: 3 }, { times: 1 });
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice(LONG_TEXT, 16000), 16000);
    await stt.flush();
    await stt.close();
    expect(sim.log.connections.length).toBe(2);
    expect(rec.events.filter((e) => e.type === 'locked').length).toBeGreaterThanOrEqual(2);
    expect(rec.text()).toBe(LONG_TEXT);
    expect(rec.finals()[0]!.utteranceText).toBe(LONG_TEXT);
  });

  it('audio pushed while reconnecting is kept and sent', async () => {
    sim.injectFault('stt', { kind: 'handshake', status: 503 }, { times: 2 });
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice('buffered words', 16000), 16000);
    await stt.flush();
    await stt.close();
    expect(rec.text()).toBe('buffered words');
    expect(sim.log.connections.filter((c) => c.accepted).length).toBe(1);
    expect(rec.errors.filter((e) => isAPIStatusError(e) && e.status === 503)).toHaveLength(2);
  });

  it.each([401, 403])('handshake %i: a typed fatal error, not retried, without the key', async (status) => {
    sim.injectFault('stt', { kind: 'handshake', status: status as 401 | 403 });
    const stt = makeSTT();
    const rec = recorder(stt);
    const error = (await stt.connect().catch((e: unknown) => e)) as APIStatusError;
    expect(isAPIStatusError(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(KEY);
    expect(sim.log.connections.length).toBe(1);
    expect(rec.errors).toEqual([error]);
    expect(() => pushSamples(stt, silenceSamples(20, 16000), 16000)).toThrow(error);
    await stt.close();
  });

  it('an invalid key (HTTP 400) is fatal, typed, and the key is not in the message', async () => {
    const key = 'invalid-secret-key-987654321';
    const stt = makeSTT({ apiKey: key });
    const error = (await stt.connect().catch((e: unknown) => e)) as APIStatusError;
    expect(isAPIStatusError(error)).toBe(true);
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/Incorrect API key/);
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.body)).not.toContain(key);
    await stt.close();
  });

  it('handshake 500 is retried and the session then works', async () => {
    sim.injectFault('stt', { kind: 'handshake', status: 500 }, { times: 1 });
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    await stt.connect();
    pushSamples(stt, synthesizeVoice('retried', 16000), 16000);
    await stt.flush();
    await stt.close();
    expect(sim.log.connections.map((c) => c.accepted)).toEqual([false, true]);
    expect(rec.text()).toBe('retried');
  });

  it('handshake 429 honours retry-after', async () => {
    sim.injectFault('stt', { kind: 'handshake', status: 429, retryAfterS: 0.3 }, { times: 1 });
    const stt = makeSTT();
    const started = performance.now();
    await stt.connect();
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    await stt.close();
  });

  it('malformed and unknown server messages are tolerated', async () => {
    sim.injectFault('stt', { kind: 'malformed', afterMessages: 1 });
    sim.injectFault('stt', { kind: 'unknown_event', afterMessages: 1 });
    const stt = makeSTT({ sampleRate: 16000, interimResults: false });
    const rec = recorder(stt);
    pushSamples(stt, synthesizeVoice('still fine', 16000), 16000);
    await stt.flush();
    await stt.close();
    expect(rec.text()).toBe('still fine');
    expect(rec.errors.some((e) => isAPIError(e) && /not JSON/.test(e.message) && e.retryable)).toBe(true);
    expect(stt.state).toBe('closed');
  });

  it('a server that never says transcript.created times out (typed) and is retried', async () => {
    const slow = await startSimulator({ sttReadyDelayMs: 5000 });
    try {
      const stt = new XAISTT({
        apiKey: KEY,
        baseURL: slow.wsUrl,
        connectOptions: { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 200 },
      });
      const error = await stt.connect().catch((e: unknown) => e);
      expect(isAPIError(error) && error.name).toBe('APITimeoutError');
      expect(slow.log.connections.length).toBe(2);
      await stt.close();
    } finally {
      await slow.close();
    }
  });
});
