import { type APIError, ChatContext, MemoryAudioOutput, type RealtimeTranscription } from '@x/core';
import { XAILLM } from '@x/llm';
import { XAIRealtime } from '@x/realtime';
import { type Simulator, VoiceRecognizer } from '@x/simulator';
import { XAISTT } from '@x/stt';
import { XAITTS } from '@x/tts';
import { concat, silence, spoken, stream } from '../support/audio.js';
import { SECRET_KEY } from '../support/secret.js';
import { sleep } from '../support/util.js';
import type { FileWatch } from '../support/watch.js';
import { type Outcome, requireTyped, violation } from './outcome.js';

export type ClientKind = 'realtime' | 'stt' | 'tts' | 'llm';

export interface EpisodeContext {
  sim: Simulator;
  random: () => number;
  watch: FileWatch;
  /** Kinds of the faults injected for this episode (to explain a degraded realtime turn). */
  faults: readonly string[];
  /** Adds to the count of realtime input samples that never reached a server (dropped sockets). */
  lostRealtimeSamples(samples: number): void;
}

const PHRASES = [
  'what time is it',
  'turn on the kitchen lights',
  'tell me a joke',
  'book a table for two',
  'how far is the moon',
  'play some music',
];
const phrase = (random: () => number) => PHRASES[Math.floor(random() * PHRASES.length)]!;
const CONNECT = { maxRetry: 2, retryIntervalMs: 100, timeoutMs: 2500 };

export function runEpisode(kind: ClientKind, ctx: EpisodeContext): Promise<Outcome> {
  switch (kind) {
    case 'llm':
      return llmEpisode(ctx);
    case 'stt':
      return sttEpisode(ctx);
    case 'tts':
      return ttsEpisode(ctx);
    case 'realtime':
      return realtimeEpisode(ctx);
  }
}

/** Two chat requests; each is the exact reply or one typed error (thrown once, emitted once). */
async function llmEpisode(ctx: EpisodeContext): Promise<Outcome> {
  const llm = new XAILLM({ apiKey: SECRET_KEY, baseURL: ctx.sim.httpUrl, connectOptions: CONNECT });
  const errors: APIError[] = [];
  let retries = 0;
  llm.on('error', (error) => {
    errors.push(error);
    ctx.watch.record(error);
  });
  llm.on('metrics', (m) => {
    retries += m.retries;
  });
  try {
    for (let request = 0; request < 2; request++) {
      const question = phrase(ctx.random);
      const chat = ChatContext.empty();
      chat.addMessage({ role: 'user', content: question });
      const before = errors.length;
      let text = '';
      try {
        for await (const chunk of llm.chat(chat)) text += chunk.content;
      } catch (error) {
        ctx.watch.record(error);
        requireTyped('LLM', error);
        const emitted = errors.slice(before);
        if (emitted.length !== 1 || emitted[0] !== error) {
          throw violation('LLM', `the failing stream emitted ${emitted.length} error events`);
        }
        return { kind: 'typed_error', error, reconnects: 0, retries };
      }
      const expected = `You said: ${question}. What else can I do for you?`;
      if (text !== expected)
        throw violation('LLM', `reply ${JSON.stringify(text)} ≠ ${JSON.stringify(expected)}`);
      if (errors.length !== before) throw violation('LLM', 'an error event on a stream that succeeded');
      await sleep(ctx.random() * 300);
    }
    return { kind: 'ok', reconnects: 0, retries };
  } finally {
    await llm.close();
  }
}

/** Two utterances streamed in real time; each comes back exactly, or the STT stops with one typed error. */
async function sttEpisode(ctx: EpisodeContext): Promise<Outcome> {
  const rate = 16_000;
  const stt = new XAISTT({
    apiKey: SECRET_KEY,
    baseURL: ctx.sim.wsUrl,
    sampleRate: rate,
    connectOptions: CONNECT,
    // Longer than the longest stall: the known flush-after-stall bug is covered by the matrix.
    flushTimeoutMs: 8000,
  });
  const errors: APIError[] = [];
  const finals: string[] = [];
  let reconnects = 0;
  let pushed = 0;
  stt.on('error', (error) => {
    errors.push(error);
    ctx.watch.record(error);
  });
  stt.on('transcript', (event) => {
    if (event.type === 'final') finals.push(event.utteranceText ?? event.text);
  });
  stt.on('reconnected', () => reconnects++);
  try {
    for (let utterance = 0; utterance < 2; utterance++) {
      const text = phrase(ctx.random);
      const before = finals.length;
      try {
        pushed += await stream((frame) => stt.pushAudio(frame), spoken(text, rate), rate, { speed: 1 });
        await stt.flush();
      } catch (error) {
        ctx.watch.record(error);
        requireTyped('STT', error);
        const fatal = errors.filter((e) => !e.retryable);
        if (stt.fatalError !== null && (fatal.length !== 1 || fatal[0] !== error)) {
          throw violation('STT', `stopped with ${fatal.length} fatal error events`);
        }
        return { kind: 'typed_error', error, reconnects, retries: 0 };
      }
      const got = finals.slice(before).join(' ');
      if (got !== text) throw violation('STT', `transcript ${JSON.stringify(got)} ≠ ${JSON.stringify(text)}`);
    }
    const received = ctx.sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0) / 2;
    if (received < pushed) throw violation('STT', `${pushed - received} samples never reached the server`);
    return { kind: 'ok', reconnects, retries: 0 };
  } finally {
    await stt.close();
  }
}

/** Two utterances on one TTS; each is heard exactly, or fails with one typed error (rejected once, emitted once). */
async function ttsEpisode(ctx: EpisodeContext): Promise<Outcome> {
  const tts = new XAITTS({
    apiKey: SECRET_KEY,
    baseURL: ctx.sim.wsUrl,
    codec: ctx.random() < 0.5 ? 'pcm' : 'mulaw',
    sampleRate: 16_000,
    connectOptions: CONNECT,
    responseTimeoutMs: 2500,
    clearTimeoutMs: 500,
  });
  const errors: APIError[] = [];
  let reconnects = 0;
  tts.on('error', (error) => {
    errors.push(error);
    ctx.watch.record(error);
  });
  tts.on('reconnected', () => reconnects++);
  try {
    for (let utterance = 0; utterance < 2; utterance++) {
      const text = phrase(ctx.random);
      const output = new MemoryAudioOutput();
      const before = errors.length;
      try {
        await tts.synthesize(text, { output });
      } catch (error) {
        ctx.watch.record(error);
        requireTyped('TTS', error);
        const emitted = errors.slice(before);
        if (emitted.length !== 1 || emitted[0] !== error) {
          throw violation('TTS', `the failing call emitted ${emitted.length} error events`);
        }
        return { kind: 'typed_error', error, reconnects, retries: 0 };
      } finally {
        await output.close();
      }
      const audio = output.audio();
      const recognizer = new VoiceRecognizer({ sampleRate: audio.sampleRate });
      recognizer.push(audio.data);
      recognizer.flush();
      if (recognizer.text !== text) {
        throw violation('TTS', `heard ${JSON.stringify(recognizer.text)} ≠ ${JSON.stringify(text)}`);
      }
      await sleep(ctx.random() * 300);
    }
    return { kind: 'ok', reconnects, retries: 0 };
  } finally {
    await tts.close();
  }
}

/**
 * A realtime session: connect, then two spoken turns streamed in real time; each is answered
 * exactly. A connect failure or a fatal error must be one typed error. A turn may go unanswered
 * only when a dropped socket took its reply (degraded); then the next turn must still work.
 */
async function realtimeEpisode(ctx: EpisodeContext): Promise<Outcome> {
  const rate = 24_000;
  const output = new MemoryAudioOutput();
  const model = new XAIRealtime({
    apiKey: SECRET_KEY,
    baseURL: `${ctx.sim.wsUrl}?sim_speed=max`,
    output,
    handshakeTimeoutMs: 2500,
    connectOptions: { ...CONNECT, timeoutMs: 4000 },
  });
  const errors: APIError[] = [];
  const transcripts: RealtimeTranscription[] = [];
  let reconnects = 0;
  let pushed = 0;
  model.on('error', (error) => {
    errors.push(error);
    ctx.watch.record(error);
  });
  model.on('transcription', (t) => {
    if (t.final) transcripts.push(t);
  });
  model.on('reconnected', () => reconnects++);
  const fatal = () =>
    model.connectionState === 'closed' ? errors.filter((e) => !/malformed/.test(e.message)) : [];
  try {
    try {
      await model.connect();
    } catch (error) {
      ctx.watch.record(error);
      requireTyped('Realtime', error);
      if (errors.length > 0)
        throw violation('Realtime', `connect failed and emitted ${errors.length} errors`);
      return { kind: 'typed_error', error, reconnects, retries: 0 };
    }
    const missed: string[] = [];
    for (let turn = 0; turn < 2; turn++) {
      const text = phrase(ctx.random);
      const before = transcripts.length;
      const samples = concat(spoken(text, rate), silence(700, rate));
      const padded = concat(samples, new Int16Array((960 - (samples.length % 960)) % 960));
      pushed += await stream((frame) => model.pushAudio(frame), padded, rate, { speed: 1 });
      const expected = `You said: ${text}.`;
      const answered = () =>
        transcripts.slice(before).some((t) => t.role === 'assistant' && t.text === expected) ||
        fatal().length > 0;
      const deadline = performance.now() + 12_000;
      while (!answered() && performance.now() < deadline) await sleep(20);
      if (fatal().length > 0) {
        const [error, ...more] = fatal();
        if (more.length > 0) throw violation('Realtime', `${fatal().length} fatal errors`);
        requireTyped('Realtime', error);
        return { kind: 'typed_error', error, reconnects, retries: 0 };
      }
      if (!answered()) {
        if (!ctx.faults.includes('drop') || reconnects === 0) {
          throw violation(
            'Realtime',
            `turn "${text}" unanswered without a dropped socket (faults: ${ctx.faults.join(', ') || 'none'})`,
          );
        }
        missed.push(
          `"${text}" unanswered; heard from the user: ${JSON.stringify(
            transcripts
              .slice(before)
              .filter((t) => t.role === 'user')
              .map((t) => t.text),
          )}`,
        );
      }
    }
    for (const error of errors) requireTyped('Realtime', error);
    const received = ctx.sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0) / 2;
    for (let i = 0; i < 100 && received < pushed; i++) await sleep(20);
    const finalReceived = ctx.sim.log.connections.reduce((sum, c) => sum + c.audioBytesReceived, 0) / 2;
    if (finalReceived < pushed) {
      if (reconnects === 0)
        throw violation('Realtime', `${pushed - finalReceived} samples lost without a reconnect`);
      ctx.lostRealtimeSamples(pushed - finalReceived);
    }
    return missed.length > 0
      ? { kind: 'degraded', reason: missed.join('; '), reconnects, retries: 0 }
      : { kind: 'ok', reconnects, retries: 0 };
  } finally {
    await model.close();
    await output.close();
  }
}
