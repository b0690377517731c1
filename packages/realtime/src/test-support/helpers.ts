import { type AudioFrame, createAudioFrame } from '@x/audio';
import { MemoryAudioOutput, type RealtimeEvents, type RealtimeModel } from '@x/core';
import { type Simulator, startSimulator, synthesizeVoice, VoiceRecognizer } from '@x/simulator';
import WebSocket from 'ws';
import { DEFAULT_MODEL, resolveXAIRealtimeConfig, XAIRealtime, type XAIRealtimeConfig } from '../index.js';
import { buildSessionUpdate } from '../session.js';

/** Frames of `text` in the simulator's voice, as a 48 kHz stereo microphone delivers them, then silence. */
export function spokenFrames(
  text: string,
  options: { rate?: number; channels?: number; silenceMs?: number } = {},
): AudioFrame[] {
  const rate = options.rate ?? 48_000;
  const channels = options.channels ?? 2;
  const voice = synthesizeVoice(text, rate);
  const total = voice.length + Math.round(((options.silenceMs ?? 700) * rate) / 1000);
  const frameSamples = Math.round(rate / 50);
  const frames: AudioFrame[] = [];
  for (let at = 0; at < total; at += frameSamples) {
    const n = Math.min(frameSamples, total - at);
    const data = new Int16Array(n * channels);
    for (let i = 0; i < n; i++) {
      const v = at + i < voice.length ? voice[at + i]! : 0;
      for (let c = 0; c < channels; c++) data[i * channels + c] = v;
    }
    frames.push(createAudioFrame(data, rate, channels));
  }
  return frames;
}

/** Decodes agent audio (any rate) back to text with the simulator's recogniser. */
export function recognize(frame: AudioFrame): string {
  const recognizer = new VoiceRecognizer({ sampleRate: frame.sampleRate });
  recognizer.push(frame.data);
  recognizer.flush();
  return recognizer.text;
}

export interface Harness {
  sim: Simulator;
  model: XAIRealtime;
  output: MemoryAudioOutput;
  events: Array<{ name: string; args: unknown[] }>;
  names(): string[];
  close(): Promise<void>;
}

const EVENT_NAMES: Array<keyof RealtimeEvents> = [
  'user_speech_started',
  'user_speech_ended',
  'agent_speech_started',
  'agent_speech_ended',
  'transcription',
  'function_executed',
  'text_output',
  'reconnected',
  'input_dropped',
  'error',
  'metrics',
  'unknown_event',
];

export function recordEvents(model: RealtimeModel): Array<{ name: string; args: unknown[] }> {
  const events: Array<{ name: string; args: unknown[] }> = [];
  for (const name of EVENT_NAMES) {
    model.on(name, ((...args: unknown[]) => events.push({ name, args })) as RealtimeEvents[typeof name]);
  }
  return events;
}

/** A simulator and a model connected to it; `query` adds simulator flags (e.g. `sim_speed`). */
export async function harness(
  config: XAIRealtimeConfig = {},
  options: { query?: Record<string, string>; paced?: boolean; sim?: Simulator } = {},
): Promise<Harness> {
  const sim = options.sim ?? (await startSimulator());
  const url = new URL(sim.wsUrl);
  for (const [key, value] of Object.entries({ sim_speed: 'max', ...options.query }))
    url.searchParams.set(key, value);
  const output = new MemoryAudioOutput(options.paced ? { realtime: true } : {});
  const model = new XAIRealtime({
    apiKey: 'test-key',
    baseURL: url.toString(),
    output,
    connectOptions: { retryIntervalMs: 20, maxRetry: 2, timeoutMs: 5000 },
    ...config,
  });
  const events = recordEvents(model);
  return {
    sim,
    model,
    output,
    events,
    names: () =>
      events.map((e) => {
        if (e.name !== 'transcription') return e.name;
        const t = e.args[0] as { role: string; final: boolean };
        return `transcription:${t.role}:${t.final ? 'final' : 'interim'}`;
      }),
    close: async () => {
      await model.close();
      await output.close();
      if (!options.sim) await sim.close();
    },
  };
}

export function clientEventsOf(sim: Simulator, connection = 0): Array<Record<string, unknown>> {
  const record = sim.log.connections.filter((c) => c.endpoint === 'realtime')[connection];
  return (record?.clientEvents ?? []) as Array<Record<string, unknown>>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds (or fails after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Runs typed turns over a raw socket (the same session.update as a default `XAIRealtime`) and
 * counts the server's messages, so a test can aim a `drop` fault at a point inside a reply without
 * hard-coding the simulator's message sequence. `firstAudioOfReply[i]` = messages up to and
 * including the first audio delta of reply i.
 */
export async function countServerMessages(
  sim: Simulator,
  texts: string[],
): Promise<{ firstAudioOfReply: number[] }> {
  const ws = new WebSocket(`${sim.wsUrl}/realtime?model=${DEFAULT_MODEL}&sim_speed=max`, {
    headers: { Authorization: 'Bearer probe-key' },
  });
  const firstAudioOfReply: number[] = [];
  let count = 0;
  let sawAudio = false;
  let turn = -1;
  const send = (event: unknown) => ws.send(JSON.stringify(event));
  const nextTurn = () => {
    turn++;
    sawAudio = false;
    const text = texts[turn];
    if (text === undefined) {
      ws.close();
      return;
    }
    send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    send({ type: 'response.create' });
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('probe timed out')), 5000);
    ws.on('error', reject);
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('message', (data) => {
      count++;
      const event = JSON.parse(data.toString()) as { type: string };
      if (event.type === 'conversation.created') {
        send(buildSessionUpdate(resolveXAIRealtimeConfig({}), undefined));
      } else if (event.type === 'session.updated') {
        nextTurn();
      } else if (event.type === 'response.output_audio.delta' && !sawAudio) {
        sawAudio = true;
        firstAudioOfReply.push(count);
      } else if (event.type === 'response.done') {
        nextTurn();
      }
    });
  });
  return { firstAudioOfReply };
}
