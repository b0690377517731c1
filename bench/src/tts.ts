/**
 * TTS: @x/tts XAITTS vs LiveKit's xai.TTS (@livekit/agents-plugin-xai), same simulator (in a child
 * process, so this process's CPU is the clients' only), same sentences.
 * - CPU ms per second of audio produced (process.cpuUsage around the client work);
 * - time from the WebSocket `message` event carrying the first `audio.delta` to the first frame the
 *   client delivers (ours: AudioOutput.push; LiveKit: the first item of its stream), taken by the
 *   `ws` tap both clients share (ws-redirect/);
 * - samples out vs samples the server sent, and what the simulator's recogniser hears in them;
 * - time to the first frame from the call, with and without `prewarm()`.
 */
import { XAITTS } from '@x/tts';
import { VoiceRecognizer } from '@x/simulator';
import { environment, fixed, ratioText } from './timing.js';
import { CountingOutput, concat } from './support/counting-output.js';
import { loadLiveKit, pointAtSimulator } from './support/livekit.js';
import { type SimProcess, startSimulatorProcess } from './support/sim-process.js';
import { cpuMs, pairedRatioMedian, quantile, sleep, summarize, within } from './support/stats.js';
import { loadNote, packageVersions, versionNote } from './support/versions.js';
import type { BenchCheck, BenchRatio, BenchTable, SuiteResult } from './types.js';
import type { WsTapState } from './ws-redirect/tap.js';

const SAMPLE_RATE = 24000;
const SENTENCES = [
  'Hello! Thanks for calling, how can I help you today?',
  'The weather in Paris is sunny with a high of twenty one degrees.',
  'Your appointment is confirmed for Tuesday at half past three in the afternoon.',
  'I found three flights to Tokyo; the cheapest one leaves at nine in the morning.',
  'Sure, I can help with that. Could you tell me your order number, please?',
  'Please hold on for a moment while I look that up for you.',
  'Your package was shipped yesterday and should arrive within two business days.',
  'Is there anything else I can do for you before we finish the call?',
];
const CPU_ROUNDS = 24;
const PREWARM_RUNS = 8;
const PACED_SENTENCES = 3;
const CALL_TIMEOUT_MS = 15_000;

interface SpeakResult {
  samples: number;
  /** performance.now() of the first frame delivered. */
  firstFrameAt: number;
  /** Copies of the frames, when asked for. */
  audio?: Int16Array;
}

interface TTSClient {
  readonly name: string;
  speak(text: string, keep: boolean): Promise<SpeakResult>;
  /** Opens the connection ahead of the first call. */
  prewarm(): Promise<void>;
  close(): Promise<void>;
}

function ourClient(wsUrl: string): TTSClient {
  const output = new CountingOutput(SAMPLE_RATE);
  const tts = new XAITTS({
    apiKey: 'bench-key',
    baseURL: wsUrl,
    voice: 'ara',
    codec: 'pcm',
    sampleRate: SAMPLE_RATE,
    output,
  });
  tts.on('error', () => {});
  return {
    name: '@x/tts XAITTS',
    async speak(text, keep) {
      output.reset(keep);
      await tts.synthesize(text);
      return {
        samples: output.samples,
        firstFrameAt: output.firstFrameAt,
        ...(output.keep ? { audio: concat(output.keep) } : {}),
      };
    },
    prewarm: () => tts.prewarm(),
    close: () => tts.close(),
  };
}

async function liveKitClient(wsUrl: string): Promise<TTSClient> {
  const { xai } = await loadLiveKit(wsUrl);
  const tts = new xai.TTS({ apiKey: 'bench-key', voice: 'ara' });
  return {
    name: 'LiveKit xai.TTS',
    async speak(text, keep) {
      const stream = tts.stream();
      stream.pushText(text);
      stream.endInput();
      let samples = 0;
      let firstFrameAt = 0;
      const kept: Int16Array[] = [];
      try {
        for await (const item of stream) {
          if (typeof item === 'symbol') break; // SynthesizeStream.END_OF_STREAM
          if (firstFrameAt === 0) firstFrameAt = performance.now();
          samples += item.frame.samplesPerChannel;
          if (keep) kept.push(item.frame.data.slice());
        }
      } finally {
        stream.close();
      }
      return { samples, firstFrameAt, ...(keep ? { audio: concat(kept) } : {}) };
    },
    async prewarm() {
      tts.prewarm(); // fire and forget in LiveKit; the caller waits a moment after it
    },
    close: () => tts.close(),
  };
}

/** Records `message` arrival times (cheaply: no parsing until the call is over). */
class MessageLog {
  entries: Array<{ at: number; data: unknown }> = [];
  attach(tap: WsTapState): void {
    tap.onMessage = (_socket, data, isBinary, at) => {
      if (!isBinary) this.entries.push({ at, data });
    };
  }
  detach(tap: WsTapState): void {
    tap.onMessage = undefined;
  }
  clear(): void {
    this.entries = [];
  }
  /** Time of the first `audio.delta` and the samples carried by all of them. */
  audioDeltas(): { firstAt: number; samples: number; count: number } {
    let firstAt = 0;
    let bytes = 0;
    let count = 0;
    for (const { at, data } of this.entries) {
      const text = typeof data === 'string' ? data : Buffer.from(data as Buffer).toString('utf8');
      const event = JSON.parse(text) as { type?: string; delta?: string };
      if (event.type !== 'audio.delta' || typeof event.delta !== 'string') continue;
      if (firstAt === 0) firstAt = at;
      bytes += Buffer.byteLength(event.delta, 'base64');
      count++;
    }
    return { firstAt, samples: bytes / 2, count };
  }
}

function recognize(audio: Int16Array | undefined): string {
  if (!audio) return '';
  const recognizer = new VoiceRecognizer({ sampleRate: SAMPLE_RATE });
  recognizer.push(audio);
  recognizer.flush();
  return recognizer.text;
}

interface FirstFrameRow {
  client: string;
  sentence: number;
  firstFrameAfterDeltaMs: number;
  clientSamples: number;
  serverSamples: number;
  heard: string;
  sentText: string;
}

async function firstFramePass(
  clients: readonly TTSClient[],
  tap: WsTapState,
  sim: SimProcess,
  sentences: readonly string[],
): Promise<FirstFrameRow[]> {
  const log = new MessageLog();
  const rows: FirstFrameRow[] = [];
  // text.delta messages the server has logged so far, per connection (sockets are reused).
  const seen = new Map<string, number>();
  const newTextDeltas = async (): Promise<string[]> => {
    const fresh: string[] = [];
    for (const c of await sim.connections()) {
      fresh.push(...c.textDeltas.slice(seen.get(c.id) ?? 0));
      seen.set(c.id, c.textDeltas.length);
    }
    return fresh;
  };
  await newTextDeltas();
  log.attach(tap);
  try {
    for (let s = 0; s < sentences.length; s++) {
      for (const client of clients) {
        log.clear();
        const result = await within(client.speak(sentences[s]!, true), CALL_TIMEOUT_MS, client.name);
        const deltas = log.audioDeltas();
        const sent = await newTextDeltas();
        rows.push({
          client: client.name,
          sentence: s,
          firstFrameAfterDeltaMs: result.firstFrameAt - deltas.firstAt,
          clientSamples: result.samples,
          serverSamples: deltas.samples,
          heard: recognize(result.audio),
          sentText: JSON.stringify(sent.join('|')),
        });
      }
    }
  } finally {
    log.detach(tap);
  }
  return rows;
}

async function cpuPass(
  clients: readonly TTSClient[],
): Promise<Map<string, { cpuMs: number; audioS: number; rounds: number[] }>> {
  const totals = new Map<string, { cpuMs: number; audioS: number; rounds: number[] }>();
  for (const client of clients) {
    totals.set(client.name, { cpuMs: 0, audioS: 0, rounds: [] });
    for (const sentence of SENTENCES) await client.speak(sentence, false); // warm-up
  }
  for (let round = 0; round < CPU_ROUNDS; round++) {
    // Alternate the order so drift on the machine does not favour one client.
    const order = round % 2 === 0 ? clients : [...clients].reverse();
    for (const client of order) {
      const c0 = cpuMs();
      let samples = 0;
      for (const sentence of SENTENCES) {
        samples += (await within(client.speak(sentence, false), CALL_TIMEOUT_MS, client.name)).samples;
      }
      const spent = cpuMs() - c0;
      const t = totals.get(client.name)!;
      t.cpuMs += spent;
      t.audioS += samples / SAMPLE_RATE;
      t.rounds.push(spent / (samples / SAMPLE_RATE));
    }
  }
  return totals;
}

async function prewarmPass(
  makers: ReadonlyArray<() => Promise<TTSClient>>,
): Promise<Map<string, { cold: number[]; warm: number[] }>> {
  const out = new Map<string, { cold: number[]; warm: number[] }>();
  const text = SENTENCES[0]!;
  for (let i = 0; i < PREWARM_RUNS; i++) {
    for (const make of makers) {
      for (const warm of [false, true]) {
        const client = await make();
        try {
          if (warm) {
            await client.prewarm();
            await sleep(100); // LiveKit's prewarm() returns at once; give both the same head start
          }
          const t0 = performance.now();
          const result = await within(client.speak(text, false), CALL_TIMEOUT_MS, client.name);
          const entry = out.get(client.name) ?? { cold: [], warm: [] };
          (warm ? entry.warm : entry.cold).push(result.firstFrameAt - t0);
          out.set(client.name, entry);
        } finally {
          await client.close();
        }
      }
    }
  }
  return out;
}

export async function runTTSBench(): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const versions = packageVersions(['@x/tts', '@x/core', '@livekit/agents-plugin-xai', '@livekit/agents']);
  const load = loadNote();
  const sim = await startSimulatorProcess();
  const paced = await startSimulatorProcess({ ttsChunkDelayMs: 'realtime' });
  const { tap } = await loadLiveKit(sim.wsUrl);
  try {
    const ours = ourClient(sim.wsUrl);
    const livekit = await liveKitClient(sim.wsUrl);
    const clients = [ours, livekit];

    console.log('  tts: first frame and sample counts (unpaced server)');
    const unpacedRows = await firstFramePass(clients, tap, sim, SENTENCES);
    console.log('  tts: CPU');
    const cpu = await cpuPass(clients);
    await ours.close();
    await livekit.close();

    console.log('  tts: first frame with the server pacing audio in real time');
    pointAtSimulator(tap, paced.wsUrl);
    const pacedOurs = ourClient(paced.wsUrl);
    const pacedLiveKit = await liveKitClient(paced.wsUrl);
    const pacedRows = await firstFramePass(
      [pacedOurs, pacedLiveKit],
      tap,
      paced,
      SENTENCES.slice(0, PACED_SENTENCES),
    );
    await pacedOurs.close();
    await pacedLiveKit.close();

    console.log('  tts: time to first frame, cold and after prewarm()');
    pointAtSimulator(tap, sim.wsUrl);
    const prewarm = await prewarmPass([async () => ourClient(sim.wsUrl), () => liveKitClient(sim.wsUrl)]);

    return report({ startedAt, t0, versions, load, unpacedRows, pacedRows, cpu, prewarm });
  } finally {
    tap.onMessage = undefined;
    await sim.close();
    await paced.close();
  }
}

function report(input: {
  startedAt: string;
  t0: number;
  versions: Record<string, string>;
  load: string;
  unpacedRows: FirstFrameRow[];
  pacedRows: FirstFrameRow[];
  cpu: Map<string, { cpuMs: number; audioS: number; rounds: number[] }>;
  prewarm: Map<string, { cold: number[]; warm: number[] }>;
}): SuiteResult {
  const { unpacedRows, pacedRows, cpu, prewarm } = input;
  const OURS = '@x/tts XAITTS';
  const LK = 'LiveKit xai.TTS';
  const cpuPerS = (name: string) => cpu.get(name)!.cpuMs / cpu.get(name)!.audioS;
  const ff = (rows: FirstFrameRow[], name: string) =>
    summarize(rows.filter((r) => r.client === name).map((r) => r.firstFrameAfterDeltaMs));
  const pairedCpu = pairedRatioMedian(cpu.get(OURS)!.rounds, cpu.get(LK)!.rounds);
  const tables: BenchTable[] = [];
  tables.push({
    title: `TTS CPU per second of audio produced (${CPU_ROUNDS} rounds × ${SENTENCES.length} sentences, 24 kHz PCM, server unpaced, simulator in another process)`,
    columns: [
      'client',
      'audio s',
      'CPU ms',
      'CPU ms per audio s',
      'rounds: min / median / max',
      'ours / peer (totals)',
      'ours / peer (median of paired rounds)',
    ],
    rows: [OURS, LK].map((name) => {
      const rounds = cpu.get(name)!.rounds;
      return [
        name,
        fixed(cpu.get(name)!.audioS, 1),
        fixed(cpu.get(name)!.cpuMs, 1),
        fixed(cpuPerS(name), 2),
        `${fixed(Math.min(...rounds), 2)} / ${fixed(quantile(rounds, 0.5), 2)} / ${fixed(Math.max(...rounds), 2)}`,
        name === OURS ? ratioText(cpuPerS(OURS) / cpuPerS(LK)) : '',
        name === OURS ? ratioText(pairedCpu) : '',
      ];
    }),
  });
  const ffRows = (label: string, rows: FirstFrameRow[]) =>
    [OURS, LK].map((name) => {
      const s = ff(rows, name);
      return [label, name, s.n, fixed(s.p50, 3), fixed(s.p90, 3), fixed(s.max, 3)];
    });
  tables.push({
    title: 'TTS first frame at the output after the WebSocket message carrying the first audio.delta (ms)',
    columns: ['server', 'client', 'n', 'p50', 'p90', 'max'],
    rows: [...ffRows('unpaced', unpacedRows), ...ffRows('paced (real time)', pacedRows)],
  });
  tables.push({
    title: 'TTS samples: client output vs samples the server sent, and what the simulator recogniser hears',
    columns: ['sentence', 'client', 'text.delta sent', 'server samples', 'client samples', 'equal', 'heard'],
    rows: unpacedRows.map((r) => [
      r.sentence,
      r.client,
      r.sentText,
      r.serverSamples,
      r.clientSamples,
      r.serverSamples === r.clientSamples ? 'yes' : `no (${r.clientSamples - r.serverSamples})`,
      JSON.stringify(r.heard),
    ]),
  });
  const pw = (name: string, warm: boolean) => {
    const e = prewarm.get(name)!;
    return warm ? e.warm : e.cold;
  };
  tables.push({
    title: `TTS time from the call to the first frame, fresh client each run (${PREWARM_RUNS} runs, ms)`,
    columns: ['client', 'cold p50', 'cold max', 'after prewarm() p50', 'after prewarm() max'],
    rows: [OURS, LK].map((name) => [
      name,
      fixed(quantile(pw(name, false), 0.5), 2),
      fixed(Math.max(...pw(name, false)), 2),
      fixed(quantile(pw(name, true), 0.5), 2),
      fixed(Math.max(...pw(name, true)), 2),
    ]),
  });

  const cpuRatio = cpuPerS(OURS) / cpuPerS(LK);
  const ratios: BenchRatio[] = [
    {
      name: 'TTS CPU per audio second: XAITTS / LiveKit xai.TTS (median of rounds measured back to back)',
      ratio: pairedCpu,
      target: 0.2,
      met: pairedCpu <= 0.2,
      lowerIsBetter: true,
      note: `ratio of totals ${ratioText(cpuRatio)}`,
    },
    {
      name: 'TTS first frame after first audio.delta, p50 (unpaced): XAITTS / LiveKit',
      ratio: ff(unpacedRows, OURS).p50 / ff(unpacedRows, LK).p50,
      lowerIsBetter: true,
    },
    {
      name: 'TTS first frame after first audio.delta, p50 (paced): XAITTS / LiveKit',
      ratio: ff(pacedRows, OURS).p50 / ff(pacedRows, LK).p50,
      lowerIsBetter: true,
    },
    {
      name: 'TTS call → first frame after prewarm(), p50: XAITTS / LiveKit',
      ratio: quantile(pw(OURS, true), 0.5) / quantile(pw(LK, true), 0.5),
      lowerIsBetter: true,
    },
  ];
  const oursRows = unpacedRows.filter((r) => r.client === OURS);
  const lkRows = unpacedRows.filter((r) => r.client === LK);
  const worstFF = Math.max(ff(unpacedRows, OURS).max, ff(pacedRows, OURS).max);
  const checks: BenchCheck[] = [
    {
      name: 'XAITTS first frame after the first audio.delta, worst case over all runs',
      value: worstFF,
      unit: 'ms',
      target: '≤ 1 ms',
      met: worstFF <= 1,
      note: `p50 ${fixed(ff(unpacedRows, OURS).p50, 3)} ms unpaced, ${fixed(ff(pacedRows, OURS).p50, 3)} ms paced`,
    },
    {
      name: 'XAITTS sentences whose output sample count equals what the server sent',
      value: oursRows.filter((r) => r.clientSamples === r.serverSamples).length,
      unit: `of ${oursRows.length}`,
      target: `${oursRows.length} of ${oursRows.length}`,
      met: oursRows.every((r) => r.clientSamples === r.serverSamples),
    },
    {
      name: 'XAITTS sentences the recogniser hears back exactly',
      value: oursRows.filter((r) => r.heard === SENTENCES[r.sentence]).length,
      unit: `of ${oursRows.length}`,
      target: `${oursRows.length} of ${oursRows.length}`,
      met: oursRows.every((r) => r.heard === SENTENCES[r.sentence]),
    },
  ];
  const lkEqual = lkRows.filter((r) => r.clientSamples === r.serverSamples).length;
  const lkHeard = lkRows.filter((r) => r.heard === SENTENCES[r.sentence]).length;
  return {
    suite: 'tts',
    title: '@x/tts XAITTS vs LiveKit xai.TTS (same simulator, same sentences)',
    startedAt: input.startedAt,
    durationMs: performance.now() - input.t0,
    environment: environment(),
    tables,
    ratios,
    checks,
    notes: [
      versionNote(input.versions),
      input.load,
      'the simulator runs in a child process; CPU is process.cpuUsage() of the benchmark process around the calls (all threads), so it holds only the client side. No GC is forced between rounds: a full GC right before a short measured run makes that run dearer (V8 shrinks the young generation and must grow it again: +50 % on a 100 ms STT run in a check), which would penalise the cheaper client; alternating the order shares what one round leaves to the next',
      "LiveKit's xai.TTS has no base-URL option: its `ws` import is resolved (module.register resolve hook, benchmark process only) to a WebSocket subclass that rewrites wss://api.x.ai to the simulator; our XAITTS goes through the same subclass (to stamp message arrival times), so both pay the same shim cost",
      'first frame = performance.now() at AudioOutput.push (ours; a counting output) or when LiveKit’s stream yields its first frame, minus the time the WebSocket `message` event carrying the first audio.delta was emitted',
      `LiveKit: ${lkEqual} of ${lkRows.length} sentences with output samples equal to the samples the server sent; the recogniser heard ${lkHeard} of ${lkRows.length} back exactly. LiveKit sends one text.delta per word with the spaces removed (see "text.delta sent"); the server concatenates deltas, so it speaks run-together words and the audio (and its length) differs from ours for the same sentence. Sample counts are therefore compared with what the server sent to each client`,
      'LiveKit holds one 100 ms frame back until the next one (or audio.done) arrives, so with a paced server its first frame comes about one server chunk after the first delta; ours emits 20 ms frames as soon as the bytes arrive',
      'prewarm: a fresh client per run; "after prewarm()" waits 100 ms after prewarm() (LiveKit’s prewarm() does not return a promise) before the call',
    ],
    data: {
      versions: input.versions,
      unpacedRows,
      pacedRows,
      cpu: Object.fromEntries(cpu),
      prewarm: Object.fromEntries(prewarm),
    },
  };
}
