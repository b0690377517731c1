import { type AudioFrame, createAudioFrame } from '@x/audio';
import type { AgentSession } from './agent-session.js';
import type { AgentSessionEvents } from './events.js';

/** 20 ms frames of a loud tone (stands in for user speech). */
export function speechFrames(ms: number, sampleRate = 16_000): AudioFrame[] {
  return frames(ms, sampleRate, (i) =>
    Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)),
  );
}

/** 20 ms frames of digital silence. */
export function silenceFrames(ms: number, sampleRate = 16_000): AudioFrame[] {
  return frames(ms, sampleRate, () => 0);
}

function frames(ms: number, sampleRate: number, sample: (i: number) => number): AudioFrame[] {
  const perFrame = Math.round(sampleRate / 50);
  const count = Math.round(ms / 20);
  const out: AudioFrame[] = [];
  for (let f = 0; f < count; f++) {
    const data = new Int16Array(perFrame);
    for (let i = 0; i < perFrame; i++) data[i] = sample(f * perFrame + i);
    out.push(createAudioFrame(data, sampleRate));
  }
  return out;
}

export function pushAll(session: AgentSession, frames: readonly AudioFrame[]): void {
  for (const frame of frames) session.pushAudio(frame);
}

export type Recorded = {
  [E in keyof AgentSessionEvents]: { event: E; args: Parameters<AgentSessionEvents[E]> };
}[keyof AgentSessionEvents];

/** Every session event, in order. */
export function recordEvents(session: AgentSession): Recorded[] {
  const log: Recorded[] = [];
  const names: Array<keyof AgentSessionEvents> = [
    'agent_state_changed',
    'user_state_changed',
    'user_transcript',
    'agent_transcript',
    'function_executed',
    'speech_created',
    'metrics',
    'component_metrics',
    'error',
    'close',
  ];
  for (const name of names) {
    session.on(name, ((...args: unknown[]) => log.push({ event: name, args } as Recorded)) as never);
  }
  return log;
}

/** Resolves on the next `event` matching `accept` (bounded). */
export function nextEvent<E extends keyof AgentSessionEvents & string>(
  session: AgentSession,
  event: E,
  accept: (...args: Parameters<AgentSessionEvents[E]>) => boolean = () => true,
  timeoutMs = 3000,
): Promise<Parameters<AgentSessionEvents[E]>> {
  return new Promise((resolve, reject) => {
    const listener = ((...args: Parameters<AgentSessionEvents[E]>) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      session.off(event, listener);
      resolve(args);
    }) as AgentSessionEvents[E];
    const timer = setTimeout(() => {
      session.off(event, listener);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    session.on(event, listener);
  });
}

/** Polls `condition` each few ms until it holds (bounded). */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
