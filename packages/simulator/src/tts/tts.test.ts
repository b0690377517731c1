import { alawDecode, mulawDecode } from '@x/audio';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../server/simulator.js';
import { connect, ofType, open, type Received, refused } from '../server/test-helpers.js';
import type { Simulator, SimulatorOptions } from '../server/types.js';
import { VoiceRecognizer } from '../voice/index.js';

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

function pcmFromBytes(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

function recognize(samples: Int16Array, sampleRate: number): string {
  const recognizer = new VoiceRecognizer({ sampleRate });
  recognizer.push(samples);
  recognizer.flush();
  return recognizer.text;
}

function say(ws: WebSocket, deltas: string[]): void {
  for (const delta of deltas) ws.send(JSON.stringify({ type: 'text.delta', delta }));
  ws.send(JSON.stringify({ type: 'text.done' }));
}

/** Audio bytes of the `n`-th utterance (1-based): the audio.delta events between audio.done n-1 and n. */
async function utteranceAudio(rec: Received, n: number): Promise<Buffer[]> {
  await rec.until(ofType('audio.done'), n);
  const chunks: Buffer[][] = [[]];
  for (const event of rec.json) {
    if (event.type === 'audio.delta')
      chunks[chunks.length - 1]!.push(Buffer.from(event.delta as string, 'base64'));
    if (event.type === 'audio.done') chunks.push([]);
  }
  return chunks[n - 1]!;
}

const KEY = 'test-key';
const url = (s: Simulator, query: string) => `${s.wsUrl}/tts?language=en&${query}`;

describe('wss /v1/tts', () => {
  it('speaks text.delta…text.done as 100 ms pcm chunks that the recogniser reads back', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=24000&voice=Ara'), KEY);
    say(ws, ['Hello there. ', 'How are', ' you today?']);
    const chunks = await utteranceAudio(rec, 1);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBe(2400 * 2);
    const pcm = pcmFromBytes(Buffer.concat(chunks));
    expect(recognize(pcm, 24000)).toBe('Hello there. How are you today?');
    expect(rec.json.at(-1)).toEqual({ type: 'audio.done' });
    ws.close();
  });

  it('sends the first audio before text.done, as soon as a word is complete', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=16000'), KEY);
    ws.send(JSON.stringify({ type: 'text.delta', delta: 'Streaming works ' }));
    await rec.until(ofType('audio.delta'));
    expect(rec.json.some((e) => e.type === 'audio.done')).toBe(false);
    say(ws, ['fine.']);
    const pcm = pcmFromBytes(Buffer.concat(await utteranceAudio(rec, 1)));
    expect(recognize(pcm, 16000)).toBe('Streaming works fine.');
    ws.close();
  });

  it('reuses the socket across utterances, one audio.done each', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=16000'), KEY);
    say(ws, ['First one.']);
    const first = await utteranceAudio(rec, 1);
    say(ws, ['Second ', 'one.']);
    const second = await utteranceAudio(rec, 2);
    say(ws, []);
    expect(await utteranceAudio(rec, 3)).toEqual([]);
    expect(recognize(pcmFromBytes(Buffer.concat(first)), 16000)).toBe('First one.');
    expect(recognize(pcmFromBytes(Buffer.concat(second)), 16000)).toBe('Second one.');
    expect(s.log.connections).toHaveLength(1);
    ws.close();
  });

  it('encodes mulaw and alaw at 8 kHz', async () => {
    const s = await start();
    for (const [codec, decode] of [
      ['mulaw', mulawDecode],
      ['alaw', alawDecode],
    ] as const) {
      const { ws, rec } = await open(url(s, `codec=${codec}&sample_rate=8000`), KEY);
      say(ws, [`Telephone audio in ${codec}.`]);
      const chunks = await utteranceAudio(rec, 1);
      expect(chunks[0]!.length).toBe(800);
      expect(recognize(decode(new Uint8Array(Buffer.concat(chunks))), 8000)).toBe(
        `Telephone audio in ${codec}.`,
      );
      ws.close();
    }
  });

  it('prefixes each utterance of codec=wav with a streaming WAV header', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=wav&sample_rate=16000'), KEY);
    say(ws, ['Wave one.']);
    say(ws, ['Wave two.']);
    for (const n of [1, 2]) {
      const bytes = Buffer.concat(await utteranceAudio(rec, n));
      expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
      expect(bytes.readUInt32LE(24)).toBe(16000);
      expect(recognize(pcmFromBytes(bytes.subarray(44)), 16000)).toBe(`Wave ${n === 1 ? 'one' : 'two'}.`);
    }
    ws.close();
  });

  it('removes whole speech tags (inline ones become silence) and speaks a split tag as text', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=16000'), KEY);
    say(ws, ['Hello [pause] <whisper>quiet</whisper> world.']);
    const whole = pcmFromBytes(Buffer.concat(await utteranceAudio(rec, 1)));
    expect(recognize(whole, 16000)).toBe('Hello quiet world.');
    let longestSilence = 0;
    let run = 0;
    for (const v of whole) {
      run = v === 0 ? run + 1 : 0;
      longestSilence = Math.max(longestSilence, run);
    }
    expect(longestSilence).toBeGreaterThanOrEqual(16000 * 0.3);
    say(ws, ['Hello [pa', 'use] world.']);
    const split = pcmFromBytes(Buffer.concat(await utteranceAudio(rec, 2)));
    expect(recognize(split, 16000)).toBe('Hello [pause] world.');
    ws.close();
  });

  it('text.clear stops the audio in progress and answers audio.clear; the socket goes on', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=16000&sim_pacing=realtime'), KEY);
    say(ws, ['This is a long answer that the user will interrupt before it ends.']);
    await rec.until(ofType('audio.delta'), 2);
    ws.send(JSON.stringify({ type: 'text.clear' }));
    await rec.until(ofType('audio.clear'));
    const clearedAt = rec.json.findIndex((e) => e.type === 'audio.clear');
    const sentBefore = rec.json.filter((e) => e.type === 'audio.delta').length;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(rec.json.slice(clearedAt + 1)).toEqual([]);
    expect(sentBefore).toBeLessThan(10);
    expect(rec.json.some((e) => e.type === 'audio.done')).toBe(false);
    say(ws, ['Next.']);
    await rec.until(ofType('audio.done'));
    const next = rec.json
      .slice(clearedAt + 1)
      .filter((e) => e.type === 'audio.delta')
      .map((e) => Buffer.from(e.delta as string, 'base64'));
    expect(recognize(pcmFromBytes(Buffer.concat(next)), 16000)).toBe('Next.');
    ws.close();
  });

  it('paces chunks with ttsChunkDelayMs', async () => {
    const s = await start({ ttsChunkDelayMs: 20 });
    const { ws, rec } = await open(url(s, 'codec=pcm&sample_rate=8000'), KEY);
    const started = Date.now();
    say(ws, ['Paced audio here.']);
    const chunks = await utteranceAudio(rec, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual((chunks.length - 1) * 20 - 5);
    ws.close();
  });

  it('answers bad messages with error events', async () => {
    const s = await start();
    const { ws, rec } = await open(url(s, 'codec=pcm'), KEY);
    ws.send('{"type":"text.delta","delta":5}');
    ws.send('{"type":"speak"}');
    ws.send('nope');
    ws.send(Buffer.from([1, 2, 3]));
    await rec.until(ofType('error'), 4);
    const messages = rec.json.map((e) => e.message as string);
    expect(messages[0]).toMatch(/delta/);
    expect(messages[1]).toMatch(/Unknown message type "speak"/);
    expect(messages[2]).toMatch(/JSON/);
    expect(messages[3]).toMatch(/Binary/);
    ws.close();
  });

  it('refuses invalid query parameters with 400 naming the parameter', async () => {
    const s = await start();
    const cases: Array<[string, RegExp]> = [
      ['codec=pcm', /language is required/],
      ['language=en&codec=mp3', /mp3.*not supported/],
      ['language=en', /mp3.*not supported/],
      ['language=en&codec=ogg', /codec must be one of/],
      ['language=en&codec=pcm&voice=bob', /voice/],
      ['language=en&codec=pcm&sample_rate=11025', /sample_rate/],
      ['language=en&codec=pcm&optimize_streaming_latency=2', /optimize_streaming_latency/],
      ['language=en&codec=pcm&text_normalization=yes', /text_normalization/],
      ['language=e!&codec=pcm', /language/],
      ['language=en&codec=pcm&sim_pacing=fast', /sim_pacing/],
    ];
    for (const [query, pattern] of cases) {
      const refusal = await refused(`${s.wsUrl}/tts?${query}`, { key: KEY });
      expect(refusal.status, query).toBe(400);
      expect(JSON.parse(refusal.body).error).toMatch(pattern);
    }
    const ok = await connect(
      `${s.wsUrl}/tts?language=auto&codec=alaw&voice=LEO&sample_rate=48000&optimize_streaming_latency=1&text_normalization=true`,
      { key: KEY },
    );
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });

  it('applies faults from the sim_fault flag (unknown event, huge message) without losing audio', async () => {
    const s = await start();
    const faults = encodeURIComponent(
      JSON.stringify([
        { kind: 'unknown_event', afterMessages: 1 },
        { kind: 'huge', bytes: 300_000, afterMessages: 2 },
      ]),
    );
    const { ws, rec } = await open(url(s, `codec=pcm&sample_rate=16000&sim_fault=${faults}`), KEY);
    say(ws, ['Still fine.']);
    const chunks = await utteranceAudio(rec, 1);
    expect(rec.json[1]?.type).toBe('sim.unknown_event');
    expect(rec.json[3]?.type).toBe('sim.huge');
    expect(rec.text[3]!.length).toBe(300_000);
    expect(recognize(pcmFromBytes(Buffer.concat(chunks)), 16000)).toBe('Still fine.');
    ws.close();
  });
});
