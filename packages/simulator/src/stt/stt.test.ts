import { alawEncode, mulawEncode } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../server/simulator.js';
import { connect, ofType, open, refused } from '../server/test-helpers.js';
import type { Simulator } from '../server/types.js';
import { synthesizeVoice, UNRECOGNIZED_SPEECH_MARKER } from '../voice/index.js';

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<Simulator> {
  sim = await startSimulator();
  return sim;
}

const silence = (ms: number, rate: number): Int16Array => new Int16Array(Math.round((ms * rate) / 1000));

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function bytesOf(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/** Deterministic loud noise: energy, but not the simulator's voice. */
function noise(ms: number, rate: number): Int16Array {
  const out = new Int16Array(Math.round((ms * rate) / 1000));
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((seed / 0x7fffffff) * 2 - 1) * 8000;
  }
  return out;
}

/** Sends `bytes` in chunks of `chunkBytes`, then audio.done. */
function sendAudio(ws: import('ws').WebSocket, bytes: Uint8Array, chunkBytes: number, done = true): void {
  for (let i = 0; i < bytes.length; i += chunkBytes) ws.send(bytes.subarray(i, i + chunkBytes));
  if (done) ws.send(JSON.stringify({ type: 'audio.done' }));
}

type Partial = {
  type: string;
  text: string;
  is_final: boolean;
  speech_final: boolean;
  start: number;
  duration: number;
  words: Array<{ text: string; start: number; end: number; confidence: number; speaker?: number }>;
  channel_index?: number;
};

async function transcribe(url: string, bytes: Uint8Array, chunkBytes = 3200) {
  const { ws, rec } = await open(url);
  await rec.until(ofType('transcript.created'));
  sendAudio(ws, bytes, chunkBytes);
  const done = (await rec.until(ofType('transcript.done'))) as unknown as {
    text: string;
    words: Partial['words'];
    duration: number;
  };
  const closed = await rec.closed;
  const partials = rec.json.filter((e) => e.type === 'transcript.partial') as unknown as Partial[];
  return { rec, done, closed, partials, finals: partials.filter((p) => p.speech_final) };
}

const TEXT = 'Hello world, this is the simulator speaking.';

describe('wss /v1/stt', () => {
  it('sends transcript.created first, then a final after endpointing silence, then done and close', async () => {
    const s = await start();
    const rate = 16000;
    const audio = concat([silence(200, rate), synthesizeVoice(TEXT, rate), silence(700, rate)]);
    const { rec, done, closed, partials } = await transcribe(
      `${s.wsUrl}/stt?sample_rate=16000&endpointing=300`,
      bytesOf(audio),
    );
    expect(rec.json[0]).toEqual({ type: 'transcript.created' });
    expect(partials).toHaveLength(1);
    const final = partials[0]!;
    expect(final).toMatchObject({ text: TEXT, is_final: true, speech_final: true });
    expect(final.words.map((w) => w.text).join(' ')).toBe(TEXT);
    expect(final.words[0]!.start).toBeGreaterThanOrEqual(0.2);
    expect(final.words[0]!.start).toBeLessThan(0.3);
    expect(final.words.at(-1)!.end).toBeLessThan(audio.length / rate);
    expect(final.start).toBeCloseTo(0.2, 1);
    expect(final.duration).toBeGreaterThan(1);
    expect(done).toEqual({ type: 'transcript.done', text: '', words: [], duration: audio.length / rate });
    expect(closed.code).toBe(1000);
    expect(s.log.connections[0]?.audioBytesReceived).toBe(audio.length * 2);
    expect(s.log.connections[0]?.clientEvents).toEqual([{ type: 'audio.done' }]);
  });

  it('waits `endpointing` ms of audio silence: no final with a shorter pause; done holds the text', async () => {
    const s = await start();
    const rate = 16000;
    const audio = concat([
      synthesizeVoice('first part', rate),
      silence(200, rate),
      synthesizeVoice('second part', rate),
    ]);
    const { partials, done } = await transcribe(`${s.wsUrl}/stt?endpointing=500`, bytesOf(audio));
    expect(partials).toHaveLength(0);
    expect(done.text).toBe('first part second part');
    expect(done.words.map((w) => w.text)).toEqual(['first', 'part', 'second', 'part']);
    const split = await transcribe(
      `${s.wsUrl}/stt?endpointing=100`,
      bytesOf(concat([audio, silence(300, rate)])),
    );
    expect(split.finals.map((f) => f.text)).toEqual(['first part', 'second part']);
    expect(split.done.text).toBe('');
  });

  it('sends interims about every 500 ms of audio when interim_results=true, and locked chunks for long speech', async () => {
    const s = await start();
    const rate = 24000;
    const long =
      'This sentence is long enough to be spoken for more than three seconds by the voice, so it locks.';
    const audio = concat([synthesizeVoice(long, rate), silence(400, rate)]);
    const url = `${s.wsUrl}/stt?sample_rate=24000&interim_results=true&endpointing=200`;
    const { partials } = await transcribe(url, bytesOf(audio), 4800);
    const interims = partials.filter((p) => !p.is_final);
    const locked = partials.filter((p) => p.is_final && !p.speech_final);
    const finals = partials.filter((p) => p.speech_final);
    expect(interims.length).toBeGreaterThanOrEqual(4);
    expect(locked.length).toBeGreaterThanOrEqual(1);
    expect(finals).toHaveLength(1);
    // The final closes the utterance; it holds only words not already locked (here possibly none).
    expect(
      [...locked, ...finals]
        .map((p) => p.text)
        .filter((t) => t !== '')
        .join(' '),
    ).toBe(long);
    for (const interim of interims)
      expect(long.startsWith(interim.text) || long.includes(interim.text)).toBe(true);
    // Without interim_results, the same audio gives locked chunks and the final only.
    const quiet = await transcribe(
      url.replace('interim_results=true', 'interim_results=false'),
      bytesOf(audio),
    );
    expect(quiet.partials.every((p) => p.is_final)).toBe(true);
    expect(
      quiet.partials
        .map((p) => p.text)
        .filter((t) => t !== '')
        .join(' '),
    ).toBe(long);
  });

  it('gives the same events however the audio is chunked (audio time, not wall time)', async () => {
    const s = await start();
    const rate = 16000;
    const audio = bytesOf(
      concat([synthesizeVoice('Chunking does not matter at all.', rate), silence(400, rate)]),
    );
    const url = `${s.wsUrl}/stt?interim_results=true&endpointing=250`;
    const whole = await transcribe(url, audio, audio.length);
    const odd = await transcribe(url, audio, 333);
    expect(odd.partials).toEqual(whole.partials);
    expect(odd.done).toEqual(whole.done);
  });

  it('decodes mulaw and alaw audio at 8 kHz', async () => {
    const s = await start();
    const rate = 8000;
    for (const [encoding, encode] of [
      ['mulaw', mulawEncode],
      ['alaw', alawEncode],
    ] as const) {
      const text = `Phone call in ${encoding}, number 42.`;
      const audio = encode(concat([synthesizeVoice(text, rate), silence(300, rate)]));
      const { finals, done } = await transcribe(
        `${s.wsUrl}/stt?sample_rate=8000&encoding=${encoding}&endpointing=100`,
        audio,
        800,
      );
      expect(finals.map((f) => f.text)).toEqual([text]);
      expect(done.duration).toBe(audio.length / rate);
    }
  });

  it('transcribes sound that is not the voice as the unrecognized-speech marker', async () => {
    const s = await start();
    const rate = 16000;
    const audio = concat([silence(100, rate), noise(600, rate), silence(400, rate)]);
    const { finals } = await transcribe(`${s.wsUrl}/stt?endpointing=200`, bytesOf(audio));
    expect(finals.map((f) => f.text)).toEqual([UNRECOGNIZED_SPEECH_MARKER]);
  });

  it('downmixes interleaved channels, and transcribes each channel with multichannel=true', async () => {
    const s = await start();
    const rate = 16000;
    const left = concat([synthesizeVoice('left side', rate), silence(600, rate)]);
    const right = concat([synthesizeVoice('right side here', rate), silence(600, rate)]);
    const n = Math.max(left.length, right.length);
    const stereo = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) {
      stereo[2 * i] = left[i] ?? 0;
      stereo[2 * i + 1] = right[i] ?? 0;
    }
    const multi = await transcribe(
      `${s.wsUrl}/stt?multichannel=true&channels=2&endpointing=200&diarize=true`,
      bytesOf(stereo),
      3202,
    );
    const byChannel = (c: number) => multi.finals.filter((f) => f.channel_index === c).map((f) => f.text);
    expect(byChannel(0)).toEqual(['left side']);
    expect(byChannel(1)).toEqual(['right side here']);
    expect(multi.finals[0]?.words[0]?.speaker).toBe(0);
    const dones = multi.rec.json.filter((e) => e.type === 'transcript.done');
    expect(dones.map((d) => d.channel_index)).toEqual([0, 1]);

    const same = new Int16Array(left.length * 2);
    for (let i = 0; i < left.length; i++) same[2 * i] = same[2 * i + 1] = left[i]!;
    const mixed = await transcribe(`${s.wsUrl}/stt?channels=2&endpointing=200`, bytesOf(same));
    expect(mixed.finals.map((f) => f.text)).toEqual(['left side']);
    expect(mixed.finals[0]).not.toHaveProperty('channel_index');
  });

  it('answers unknown text messages with an error event and keeps going', async () => {
    const s = await start();
    const { ws, rec } = await open(`${s.wsUrl}/stt`);
    await rec.until(ofType('transcript.created'));
    ws.send('{"type":"nope"}');
    ws.send('not json');
    await rec.until(ofType('error'), 2);
    ws.send(JSON.stringify({ type: 'audio.done' }));
    const done = await rec.until(ofType('transcript.done'));
    expect(done).toEqual({ type: 'transcript.done', text: '', words: [], duration: 0 });
    expect((await rec.closed).code).toBe(1000);
    expect((rec.json[1] as { message: string }).message).toMatch(/Unknown message type "nope"/);
  });

  it('delays transcript.created by sttReadyDelayMs', async () => {
    sim = await startSimulator({ sttReadyDelayMs: 60 });
    const started = Date.now();
    const { ws, rec } = await open(`${sim.wsUrl}/stt`);
    await rec.until(ofType('transcript.created'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    ws.close();
  });

  it('refuses invalid query parameters with 400 naming the parameter', async () => {
    const s = await start();
    const cases: Array<[string, RegExp]> = [
      ['sample_rate=12345', /sample_rate/],
      ['sample_rate=32000', /sample_rate/],
      ['encoding=opus', /encoding/],
      ['interim_results=yes', /interim_results/],
      ['endpointing=5001', /endpointing/],
      ['endpointing=-1', /endpointing/],
      ['language=english!', /language/],
      ['diarize=1', /diarize/],
      ['multichannel=maybe', /multichannel/],
      ['channels=1', /channels/],
      ['channels=9', /channels/],
    ];
    for (const [query, pattern] of cases) {
      const refusal = await refused(`${s.wsUrl}/stt?${query}`, { key: 'k' });
      expect(refusal.status, query).toBe(400);
      expect(JSON.parse(refusal.body).error).toMatch(pattern);
    }
    const ok = await connect(
      `${s.wsUrl}/stt?sample_rate=8000&encoding=mulaw&interim_results=true&endpointing=5000&language=en-US&diarize=false&multichannel=true&channels=8`,
      { key: 'k' },
    );
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it('drop fault: the socket is cut after N messages', async () => {
    const s = await start();
    s.injectFault('stt', { kind: 'drop', afterMessages: 1 });
    const { ws, rec } = await open(`${s.wsUrl}/stt?endpointing=100`);
    await rec.until(ofType('transcript.created'));
    sendAudio(ws, bytesOf(concat([synthesizeVoice('cut me', 16000), silence(300, 16000)])), 3200, false);
    expect((await rec.closed).code).toBe(1006);
    expect(rec.json.map((e) => e.type)).toEqual(['transcript.created']);
  });
});
