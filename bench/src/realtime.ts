/**
 * Realtime (@x/realtime XAIRealtime), simulator in a child process:
 * - client overhead per 20 ms input frame (48 kHz stereo → 24 kHz mono → base64 → send): the
 *   wall time of XAIRealtime.pushAudio() — the real public path (remix, stateful resampler,
 *   batching, base64, JSON, ws.send) on a connected session — beside the Python reference's way
 *   (stereo guessed from the length, an FFT resample of each chunk on its own, base64, JSON,
 *   ws.send) implemented in TypeScript in baseline/;
 * - barge-in: from the WebSocket message carrying `input_audio_buffer.speech_started` to the
 *   output being stopped (`interrupt()` on a paced MemoryAudioOutput), while the agent speaks.
 */
import { createAudioFrame } from '@x/audio';
import { MemoryAudioOutput } from '@x/core';
import { XAIRealtime } from '@x/realtime';
import { synthesizeVoice } from '@x/simulator';
import WebSocket from 'ws';
import { referenceChunkToBase64 } from './baseline/python-resample.js';
import { environment, fixed, ratioText } from './timing.js';
import { type SimProcess, startSimulatorProcess } from './support/sim-process.js';
import { sleep, summarize, turn, within } from './support/stats.js';
import { loadNote, packageVersions, versionNote } from './support/versions.js';
import type { BenchCheck, BenchRatio, BenchTable, SuiteResult } from './types.js';
import { wsTap } from './ws-redirect/tap.js';

const FRAMES = 3000;
const WARMUP_FRAMES = 500;
const BARGE_INS = 10;

/** 20 ms frames of the simulator's voice (plus a little noise), `channels` interleaved at `rate`. */
function inputFrames(rate: number, channels: number, count: number): Int16Array[] {
  const voice = synthesizeVoice(
    'The quick brown fox jumps over the lazy dog while the band plays on and on. ',
    rate,
  );
  const n = (rate * 20) / 1000;
  const frames: Int16Array[] = [];
  let seed = 7;
  for (let f = 0; f < count; f++) {
    const data = new Int16Array(n * channels);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const v = voice[(f * n + i) % voice.length]! + ((seed >>> 24) - 128);
      for (let c = 0; c < channels; c++) data[i * channels + c] = v;
    }
    frames.push(data);
  }
  return frames;
}

async function timeFrames(frames: Int16Array[], push: (frame: Int16Array) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const t0 = performance.now();
    push(frames[i]!);
    const dt = performance.now() - t0;
    if (i >= WARMUP_FRAMES) times.push(dt * 1000);
    // Let the socket drain now and then (the audio is pushed faster than real time).
    if (i % 10 === 9) await turn();
  }
  return times;
}

async function oursPerFrame(
  sim: SimProcess,
  rate: number,
  channels: number,
  inputBatchMs: number,
): Promise<number[]> {
  const rt = new XAIRealtime({
    apiKey: 'bench-key',
    baseURL: sim.wsUrl,
    turnDetection: null,
    inputBatchMs,
  });
  rt.on('error', () => {});
  await rt.connect();
  try {
    const frames = inputFrames(rate, channels, FRAMES + WARMUP_FRAMES);
    return await timeFrames(frames, (data) => rt.pushAudio(createAudioFrame(data, rate, channels)));
  } finally {
    await rt.close();
  }
}

/** A plain `ws` session with manual turns, sending each chunk the Python reference's way. */
async function referencePerFrame(sim: SimProcess): Promise<number[]> {
  const ws = new WebSocket(`${sim.wsUrl}/realtime?model=grok-voice-fast-1.0`, {
    headers: { Authorization: 'Bearer bench-key' },
  });
  await within(
    new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        const event = JSON.parse(String(data)) as { type: string };
        if (event.type === 'conversation.created') {
          ws.send(JSON.stringify({ type: 'session.update', session: { turn_detection: null } }));
        } else if (event.type === 'session.updated') {
          resolve();
        }
      });
    }),
    10_000,
    'reference session',
  );
  try {
    const frames = inputFrames(48000, 2, FRAMES + WARMUP_FRAMES);
    return await timeFrames(frames, (data) =>
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: referenceChunkToBase64(data) })),
    );
  } finally {
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }
}

/** A paced output that stamps the moment it is interrupted. */
class StampedOutput extends MemoryAudioOutput {
  interruptedAt = 0;
  override interrupt(): void {
    if (this.interruptedAt === 0) this.interruptedAt = performance.now();
    super.interrupt();
  }
}

interface BargeIn {
  /** speech_started message → output.interrupt(), ms. */
  stopAfterMessageMs: number;
  /** First frame of the interrupting speech pushed → output.interrupt(), ms (includes server VAD). */
  stopAfterPushMs: number;
  /** Agent audio played when cut, ms. */
  playedMs: number;
  /** playedMs 100 ms after the cut minus at the cut (must stay 0). */
  playedAfterStopMs: number;
}

async function bargeIns(sim: SimProcess): Promise<{ runs: BargeIn[]; misses: number }> {
  const tap = wsTap();
  const rate = 24000;
  const voice = (text: string) => synthesizeVoice(text, rate);
  const silence = new Int16Array(rate); // 1 s: ends the user's turn
  const output = new StampedOutput({ realtime: true, sampleRate: rate });
  const rt = new XAIRealtime({ apiKey: 'bench-key', baseURL: sim.wsUrl, output });
  rt.on('error', () => {});
  await rt.connect();
  let speechStartedAt = 0;
  tap.onMessage = (_socket, data, isBinary, at) => {
    if (isBinary || speechStartedAt !== 0) return;
    const head = (data as Buffer).subarray(0, 80).toString('latin1');
    if (head.includes('input_audio_buffer.speech_started')) speechStartedAt = at;
  };
  const push = (audio: Int16Array) => {
    for (let i = 0; i < audio.length; i += 480) rt.pushAudio(createAudioFrame(audio.slice(i, i + 480), rate));
  };
  const agentSpeaks = () =>
    within(
      new Promise<void>((resolve) => rt.once('agent_speech_started', () => resolve())),
      10_000,
      'agent speech',
    );
  const runs: BargeIn[] = [];
  let misses = 0;
  try {
    let speaking = agentSpeaks();
    push(voice('Tell me about the weather in Paris please.'));
    push(silence);
    for (let k = 0; k < BARGE_INS; k++) {
      // The agent is answering: let it speak for 300 ms, then talk over it (speech only, so the
      // user's turn stays open and no new reply starts while we watch the output).
      await speaking;
      await sleep(300);
      speechStartedAt = 0;
      output.interruptedAt = 0;
      const pushedAt = performance.now();
      push(voice('Stop, wait a moment.'));
      const stopped = await within(
        new Promise<boolean>((resolve) => {
          const poll = () => (output.interruptedAt !== 0 ? resolve(true) : setTimeout(poll, 1));
          poll();
        }),
        3000,
        'barge-in',
      ).catch(() => false);
      if (!stopped || speechStartedAt === 0) {
        misses++;
      } else {
        const playedAtStop = output.playedMs;
        await sleep(100);
        runs.push({
          stopAfterMessageMs: output.interruptedAt - speechStartedAt,
          stopAfterPushMs: output.interruptedAt - pushedAt,
          playedMs: playedAtStop,
          playedAfterStopMs: output.playedMs - playedAtStop,
        });
      }
      // End the user's turn: the agent answers it, and that answer is the next one to cut.
      speaking = agentSpeaks();
      push(silence);
    }
    await speaking.catch(() => {});
  } finally {
    tap.onMessage = undefined;
    await rt.close();
    await output.close();
  }
  return { runs, misses };
}

export async function runRealtimeBench(): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const versions = packageVersions(['@x/realtime', '@x/core', '@x/audio']);
  const load = loadNote();
  const sim = await startSimulatorProcess({ trimClientEventsMs: 1000 });
  try {
    console.log(`  realtime: per-frame overhead (${FRAMES} frames after ${WARMUP_FRAMES} warm-up)`);
    const cases: Array<{ label: string; times: number[] }> = [];
    cases.push({
      label: 'XAIRealtime.pushAudio, 48 kHz stereo, inputBatchMs 20 (one send per frame)',
      times: await oursPerFrame(sim, 48000, 2, 20),
    });
    cases.push({
      label: 'XAIRealtime.pushAudio, 48 kHz stereo, inputBatchMs 40 (default: a send every 2nd frame)',
      times: await oursPerFrame(sim, 48000, 2, 40),
    });
    cases.push({
      label: 'XAIRealtime.pushAudio, 24 kHz mono (no resampling), inputBatchMs 20',
      times: await oursPerFrame(sim, 24000, 1, 20),
    });
    cases.push({
      label: 'Python reference way (length-guessed stereo, FFT resample per chunk), one send per frame',
      times: await referencePerFrame(sim),
    });
    console.log(`  realtime: barge-in (${BARGE_INS} times)`);
    const barge = await bargeIns(sim);
    return report({ startedAt, t0, versions, load, cases, barge });
  } finally {
    await sim.close();
  }
}

function report(input: {
  startedAt: string;
  t0: number;
  versions: Record<string, string>;
  load: string;
  cases: Array<{ label: string; times: number[] }>;
  barge: { runs: BargeIn[]; misses: number };
}): SuiteResult {
  const { cases, barge } = input;
  const stats = cases.map((c) => ({ label: c.label, s: summarize(c.times) }));
  const ours = stats[0]!.s;
  const reference = stats[3]!.s;
  const tables: BenchTable[] = [
    {
      title: `Realtime client overhead per 20 ms input frame, µs (${FRAMES} frames on a connected session)`,
      columns: ['path', 'median', 'p90', 'p99', 'max', 'mean', 'median / reference'],
      rows: stats.map(({ label, s }) => [
        label,
        fixed(s.p50, 1),
        fixed(s.p90, 1),
        fixed(s.p99, 1),
        fixed(s.max, 1),
        fixed(s.mean, 1),
        ratioText(s.p50 / reference.p50),
      ]),
    },
  ];
  const stop = summarize(barge.runs.map((r) => r.stopAfterMessageMs));
  const stopPush = summarize(barge.runs.map((r) => r.stopAfterPushMs));
  const playedAfter = Math.max(0, ...barge.runs.map((r) => r.playedAfterStopMs));
  tables.push({
    title: `Barge-in while the agent speaks (paced MemoryAudioOutput; ${barge.runs.length} runs, ${barge.misses} missed), ms`,
    columns: ['measure', 'p50', 'p90', 'max'],
    rows: [
      ['speech_started message → output stopped', fixed(stop.p50, 3), fixed(stop.p90, 3), fixed(stop.max, 3)],
      [
        'interrupting audio pushed → output stopped (includes the server VAD)',
        fixed(stopPush.p50, 1),
        fixed(stopPush.p90, 1),
        fixed(stopPush.max, 1),
      ],
      ['audio played after the stop', fixed(playedAfter, 1), '', fixed(playedAfter, 1)],
    ],
  });
  const ratios: BenchRatio[] = [
    {
      name: 'Realtime per-frame median: XAIRealtime.pushAudio (48 kHz stereo, one send per frame) / Python reference way',
      ratio: ours.p50 / reference.p50,
      lowerIsBetter: true,
    },
    {
      name: 'Realtime per-frame p99: XAIRealtime / Python reference way',
      ratio: ours.p99 / reference.p99,
      lowerIsBetter: true,
    },
  ];
  const checks: BenchCheck[] = [
    {
      name: 'XAIRealtime per 20 ms frame (48 kHz stereo → 24 kHz mono → base64 → send), median',
      value: ours.p50,
      unit: 'µs',
      target: '< 200 µs',
      met: ours.p50 < 200,
      note: `p99 ${fixed(ours.p99, 1)} µs`,
    },
    {
      name: 'Barge-in: speech_started message → output stopped, worst case',
      value: stop.max,
      unit: 'ms',
      target: 'stops at once (no target given)',
      met: barge.misses === 0 && playedAfter === 0,
      note: `p50 ${fixed(stop.p50, 3)} ms; ${barge.misses} missed; ${fixed(playedAfter, 1)} ms played after the stop`,
    },
  ];
  return {
    suite: 'realtime',
    title: '@x/realtime XAIRealtime: per-frame input overhead vs the Python reference way, barge-in',
    startedAt: input.startedAt,
    durationMs: performance.now() - input.t0,
    environment: environment(),
    tables,
    ratios,
    checks,
    notes: [
      versionNote(input.versions),
      input.load,
      'measured: the wall time of each public XAIRealtime.pushAudio(frame) call on a session connected to the simulator (child process) — remix to mono, the stateful @x/audio resampler, batching, base64, JSON and the synchronous part of ws.send — not internal functions',
      "XAIRealtime resamples user audio with its default, @x/audio's 'voice' preset (flat to 9.6 kHz at 24 kHz, aliases into that band ≥ 75 dB down; 48 → 24 kHz is a half-band filter)",
      'reference: the Python plugin’s path re-implemented in TypeScript (bench/src/baseline/): int16 view, stereo guessed from the length (≥ 1920 samples and even), channel mean, scipy.signal.resample semantics (mixed-radix FFT of the 960-sample chunk, spectrum cut to 480 bins, inverse FFT), int16, base64, JSON, ws.send; numpy/scipy run this in C, so this models the algorithm, not CPython’s speed',
      'frames are pushed faster than real time, yielding to the event loop every 10 frames; sessions use manual turns (turn_detection null) so the server never answers during the measurement',
      'barge-in: the user speaks, the agent answers (audio paced in real time by the simulator into a real-time MemoryAudioOutput); 300 ms into the answer the user speaks again; the time is taken from the `message` event carrying input_audio_buffer.speech_started to MemoryAudioOutput.interrupt()',
    ],
    data: { versions: input.versions, perFrame: stats, bargeIn: barge },
  };
}
