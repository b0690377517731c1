/**
 * STT: @x/stt XAISTT vs LiveKit's xai.STT, 48 kHz mono input (the simulator's voice) pushed in
 * 20 ms (CPU, hangs) or 10 ms (loss) frames, simulator in a child process.
 * - CPU ms per second of audio pushed (process.cpuUsage from the first push to the end of the
 *   stream, i.e. the last transcript);
 * - bytes the server received (simulator log, per connection) vs bytes pushed, converted to the
 *   wire rate: nothing may be lost at the end;
 * - hangs over 50 runs against a server that sends `transcript.created` at once
 *   (`sttReadyDelayMs: 0`): a run hangs when no final transcript arrives within 5 s.
 */
import { createAudioFrame } from '@x/audio';
import { synthesizeVoice } from '@x/simulator';
import { XAISTT } from '@x/stt';
import { environment, fixed, ratioText } from './timing.js';
import { loadLiveKit, pointAtSimulator } from './support/livekit.js';
import { type SimProcess, startSimulatorProcess } from './support/sim-process.js';
import { cpuMs, pairedRatioMedian, turn, within } from './support/stats.js';
import { loadNote, packageVersions, versionNote } from './support/versions.js';
import type { BenchCheck, BenchRatio, BenchTable, SuiteResult } from './types.js';

const INPUT_RATE = 48000;
const SENTENCES = [
  'What is the weather in Paris today?',
  'I would like to book a table for two at eight.',
  'Can you move my appointment to Thursday morning?',
  'Please send the invoice to my email address.',
  'How long will the delivery take?',
  'Thank you, that is all for now.',
];
/** Paired runs per client: the ratio is a median of pairs, and single runs swing by ±50 % on this machine. */
const CPU_RUNS = 9;
const HANG_RUNS = 50;
const HANG_CONCURRENCY = 10;
const LOSS_RUNS = 3;
const HANG_BOUND_MS = 5000;
const END_BOUND_MS = 8_000;

/** Sentences in the simulator's voice at 48 kHz, each followed by `gapMs` of silence. */
function speech(sentences: readonly string[], gapMs: number, leadMs = 200): Int16Array {
  const parts = sentences.map((s) => synthesizeVoice(s, INPUT_RATE));
  const gap = Math.round((gapMs * INPUT_RATE) / 1000);
  const lead = Math.round((leadMs * INPUT_RATE) / 1000);
  const out = new Int16Array(lead + parts.reduce((n, p) => n + p.length + gap, 0));
  let offset = lead;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length + gap;
  }
  return out;
}

interface STTRun {
  finals: string[];
  /** Whether the stream ended within the bound. */
  ended: boolean;
  /** Errors the client reported (ours: `error` events; LiveKit: the stream's error). */
  errors: string[];
  /** Audio the client said it dropped (ours: `audio_dropped`), ms. */
  droppedMs: number;
}

/** One streaming session: push `audio` in `frameMs` frames, end input, wait for the end. */
interface STTClient {
  readonly name: string;
  readonly wireRate: number;
  /** Full session; resolves after the last transcript (bounded). */
  session(audio: Int16Array, frameMs: number): Promise<STTRun>;
  /** Push, then wait only for a first final transcript (hang test); returns whether it came. */
  firstFinal(audio: Int16Array, frameMs: number, boundMs: number): Promise<boolean>;
}

async function pushFrames(audio: Int16Array, frameMs: number, push: (frame: Int16Array) => void) {
  const n = (INPUT_RATE * frameMs) / 1000;
  let frames = 0;
  for (let i = 0; i < audio.length; i += n) {
    push(audio.slice(i, Math.min(i + n, audio.length)));
    // Yield now and then (every 500 ms of audio) so sockets and timers run, as with live input.
    if (++frames % Math.round(500 / frameMs) === 0) await turn();
  }
}

function ourClient(wsUrl: string, wireRate: 16000 | 48000): STTClient {
  const make = () => {
    const stt = new XAISTT({ apiKey: 'bench-key', baseURL: wsUrl, sampleRate: wireRate });
    stt.on('error', () => {});
    return stt;
  };
  return {
    name: `@x/stt XAISTT (wire ${wireRate / 1000} kHz)`,
    wireRate,
    async session(audio, frameMs) {
      const stt = make();
      const finals: string[] = [];
      const errors: string[] = [];
      let droppedMs = 0;
      stt.on('transcript', (e) => {
        if (e.type === 'final' || e.type === 'locked') finals.push(e.text);
      });
      stt.on('error', (e) => errors.push(e.message));
      stt.on('audio_dropped', (e) => {
        droppedMs = e.totalDroppedMs;
      });
      // Connect first: audio pushed faster than real time before the socket is ready would
      // otherwise fill the reconnect buffer (maxBufferedAudioMs, 30 s) and drop its oldest part.
      await stt.connect();
      await pushFrames(audio, frameMs, (d) => stt.pushAudio(createAudioFrame(d, INPUT_RATE)));
      // close(): sends the rest of the audio and audio.done, waits for transcript.done.
      const ended = await within(stt.close(), END_BOUND_MS, 'XAISTT close').then(
        () => true,
        () => false,
      );
      return { finals, ended, errors, droppedMs };
    },
    async firstFinal(audio, frameMs, boundMs) {
      const stt = make();
      try {
        const final = new Promise<void>((resolve) => {
          stt.on('transcript', (e) => {
            if (e.type === 'final' && e.text !== '') resolve();
          });
        });
        await pushFrames(audio, frameMs, (d) => stt.pushAudio(createAudioFrame(d, INPUT_RATE)));
        return await within(final, boundMs, 'final').then(
          () => true,
          () => false,
        );
      } finally {
        await within(stt.close(), END_BOUND_MS, 'XAISTT close').catch(() => {});
      }
    },
  };
}

async function liveKitClient(wsUrl: string): Promise<STTClient> {
  const { xai, agents, rtc } = await loadLiveKit(wsUrl);
  const FINAL = agents.stt.SpeechEventType.FINAL_TRANSCRIPT;
  const stt = new xai.STT({ apiKey: 'bench-key' });
  const frame = (d: Int16Array) => new rtc.AudioFrame(d, INPUT_RATE, 1, d.length);
  return {
    name: 'LiveKit xai.STT (wire 16 kHz)',
    wireRate: 16000,
    async session(audio, frameMs) {
      const stream = stt.stream();
      const finals: string[] = [];
      const errors: string[] = [];
      const consumed = (async () => {
        for await (const event of stream) {
          if (event.type === FINAL) finals.push(event.alternatives?.[0]?.text ?? '');
        }
      })().catch((error: unknown) => {
        errors.push(String(error));
      });
      try {
        await pushFrames(audio, frameMs, (d) => stream.pushFrame(frame(d)));
        stream.endInput();
        const ended = await within(consumed, END_BOUND_MS, 'LiveKit stream end').then(
          () => true,
          () => false,
        );
        return { finals, ended, errors, droppedMs: 0 };
      } finally {
        stream.close();
        await consumed;
      }
    },
    async firstFinal(audio, frameMs, boundMs) {
      const stream = stt.stream();
      let resolveFinal: () => void = () => {};
      const final = new Promise<void>((resolve) => {
        resolveFinal = resolve;
      });
      const consumed = (async () => {
        for await (const event of stream) {
          if (event.type === FINAL && (event.alternatives?.[0]?.text ?? '') !== '') resolveFinal();
        }
      })();
      try {
        await pushFrames(audio, frameMs, (d) => stream.pushFrame(frame(d)));
        return await within(final, boundMs, 'final').then(
          () => true,
          () => false,
        );
      } finally {
        stream.endInput();
        stream.close();
        await within(consumed, END_BOUND_MS, 'LiveKit stream end').catch(() => {});
      }
    },
  };
}

interface LossRow {
  client: string;
  ended: boolean;
  errors: string[];
  droppedMs: number;
  pushedSamples48k: number;
  expectedBytes: number;
  receivedBytes: number;
  connections: number;
  lostMs: number;
}

/** Bytes the server logged for the STT connections since the last `sim.clear()`. */
async function lossRow(client: STTClient, sim: SimProcess, audio: Int16Array, run: STTRun): Promise<LossRow> {
  // The server logs a connection's bytes as they arrive; give the last ones a moment.
  await new Promise((r) => setTimeout(r, 100));
  const connections = (await sim.connections()).filter((c) => c.endpoint === 'stt' && c.accepted);
  const receivedBytes = connections.reduce((n, c) => n + c.audioBytesReceived, 0);
  const expectedBytes = Math.round((audio.length * client.wireRate) / INPUT_RATE) * 2;
  return {
    client: client.name,
    ended: run.ended,
    errors: run.errors,
    droppedMs: run.droppedMs,
    pushedSamples48k: audio.length,
    expectedBytes,
    receivedBytes,
    connections: connections.length,
    lostMs: ((expectedBytes - receivedBytes) / 2 / client.wireRate) * 1000,
  };
}

async function measureLoss(client: STTClient, sim: SimProcess, audio: Int16Array, frameMs: number) {
  await sim.clear();
  const run = await client.session(audio, frameMs);
  return { row: await lossRow(client, sim, audio, run), run };
}

interface CpuRun {
  cpuMsPerAudioS: number;
  /** Every sentence came back in the final transcripts (the session worked end to end). */
  complete: boolean;
}

export async function runSTTBench(): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const versions = packageVersions([
    '@x/stt',
    '@x/core',
    '@x/audio',
    '@livekit/agents-plugin-xai',
    '@livekit/agents',
    '@livekit/rtc-node',
  ]);
  const load = loadNote();
  // transcript.created 20 ms after the handshake: LiveKit's plugin can miss it when it comes at
  // once (that case is the hang test's, on `instant`), and a run that never starts is no CPU data.
  const sim = await startSimulatorProcess({ sttReadyDelayMs: 20 });
  const instant = await startSimulatorProcess({ sttReadyDelayMs: 0 });
  const { tap } = await loadLiveKit(sim.wsUrl);
  try {
    const clients = [
      ourClient(sim.wsUrl, 16000),
      ourClient(sim.wsUrl, 48000),
      await liveKitClient(sim.wsUrl),
    ];
    const cpuAudio = speech([...SENTENCES, ...SENTENCES, ...SENTENCES], 400);
    const cpuAudioS = cpuAudio.length / INPUT_RATE;

    console.log(`  stt: CPU (${fixed(cpuAudioS, 1)} s of 48 kHz audio per run, 20 ms frames)`);
    const cpu = new Map<string, CpuRun[]>();
    const transcripts = new Map<string, string[]>();
    const expectedText = [...SENTENCES, ...SENTENCES, ...SENTENCES].join(' ');
    const cpuLoss: LossRow[] = [];
    for (const client of clients) await client.session(cpuAudio, 20); // warm-up (JIT, pools)
    for (let run = 0; run < CPU_RUNS; run++) {
      const order = run % 2 === 0 ? clients : [...clients].reverse();
      for (const client of order) {
        await sim.clear();
        const c0 = cpuMs();
        const result = await client.session(cpuAudio, 20);
        const spent = cpuMs() - c0;
        const heard = result.finals.filter((t) => t !== '').join(' ');
        cpu.set(client.name, [
          ...(cpu.get(client.name) ?? []),
          { cpuMsPerAudioS: spent / cpuAudioS, complete: heard === expectedText },
        ]);
        transcripts.set(client.name, result.finals);
        cpuLoss.push(await lossRow(client, sim, cpuAudio, result));
      }
    }

    console.log('  stt: bytes received vs pushed (2.47 s in 10 ms frames)');
    const lossAudio = speech(SENTENCES.slice(0, 1), 0, 100).slice(0, Math.round(2.47 * INPUT_RATE));
    const padded = new Int16Array(Math.round(2.47 * INPUT_RATE));
    padded.set(lossAudio);
    const loss: LossRow[] = [];
    for (let run = 0; run < LOSS_RUNS; run++) {
      for (const client of clients) loss.push((await measureLoss(client, sim, padded, 10)).row);
    }

    console.log(`  stt: hangs over ${HANG_RUNS} runs with transcript.created sent at once`);
    pointAtSimulator(tap, instant.wsUrl);
    const hangClients = [ourClient(instant.wsUrl, 16000), await liveKitClient(instant.wsUrl)];
    const hangAudio = speech(SENTENCES.slice(0, 1), 600);
    const hangs = new Map<string, { runs: number; hangs: number }>();
    for (const client of hangClients) {
      let hung = 0;
      for (let start = 0; start < HANG_RUNS; start += HANG_CONCURRENCY) {
        const batch = Array.from({ length: Math.min(HANG_CONCURRENCY, HANG_RUNS - start) }, () =>
          client.firstFinal(hangAudio, 20, HANG_BOUND_MS),
        );
        for (const ok of await Promise.all(batch)) if (!ok) hung++;
      }
      hangs.set(client.name, { runs: HANG_RUNS, hangs: hung });
    }
    return report({ startedAt, t0, versions, load, cpu, cpuAudioS, transcripts, cpuLoss, loss, hangs });
  } finally {
    await sim.close();
    await instant.close();
  }
}

function report(input: {
  startedAt: string;
  t0: number;
  versions: Record<string, string>;
  load: string;
  cpu: Map<string, CpuRun[]>;
  cpuAudioS: number;
  transcripts: Map<string, string[]>;
  cpuLoss: LossRow[];
  loss: LossRow[];
  hangs: Map<string, { runs: number; hangs: number }>;
}): SuiteResult {
  const { cpu, loss, cpuLoss, hangs, transcripts } = input;
  const OURS16 = '@x/stt XAISTT (wire 16 kHz)';
  const OURS48 = '@x/stt XAISTT (wire 48 kHz)';
  const LK = 'LiveKit xai.STT (wire 16 kHz)';
  /** Mean over the runs that worked end to end (a run that never started costs nothing). */
  const meanCpu = (name: string) => {
    const v = cpu.get(name)!.filter((r) => r.complete);
    return v.reduce((a, r) => a + r.cpuMsPerAudioS, 0) / v.length;
  };
  const completeRuns = (name: string) => cpu.get(name)!.filter((r) => r.complete).length;
  const tables: BenchTable[] = [
    {
      title: `STT CPU per second of 48 kHz audio pushed (${fixed(input.cpuAudioS, 1)} s per run, 20 ms frames, ${CPU_RUNS} runs; from the first push to the last transcript)`,
      columns: [
        'client',
        'CPU ms per audio s (mean of complete runs)',
        'per run (* = transcript incomplete)',
        'ours / LiveKit',
        'runs with the whole transcript',
      ],
      rows: [OURS16, OURS48, LK].map((name) => [
        name,
        fixed(meanCpu(name), 2),
        cpu
          .get(name)!
          .map((r) => `${fixed(r.cpuMsPerAudioS, 2)}${r.complete ? '' : '*'}`)
          .join(', '),
        name === LK ? '' : ratioText(meanCpu(name) / meanCpu(LK)),
        `${completeRuns(name)} of ${cpu.get(name)!.length}`,
      ]),
    },
    {
      title: `STT bytes received by the server vs pushed (converted to the wire rate, s16le): 2.47 s pushed in 10 ms frames, then end of input (${LOSS_RUNS} runs each)`,
      columns: [
        'client',
        'pushed (48 kHz samples)',
        'expected bytes',
        'received bytes',
        'connections',
        'lost ms',
        'stream ended',
        'lost ms in the CPU runs (31 s each)',
      ],
      rows: loss.map((r) => [
        r.client,
        r.pushedSamples48k,
        r.expectedBytes,
        r.receivedBytes,
        r.connections,
        fixed(r.lostMs, 2),
        r.ended ? 'yes' : 'no (hung)',
        cpuLoss
          .filter((c) => c.client === r.client)
          .map((c) => fixed(c.lostMs, 1))
          .join(', '),
      ]),
    },
    {
      title: `STT runs without a final transcript within ${HANG_BOUND_MS / 1000} s (server sends transcript.created at once; ${HANG_CONCURRENCY} sessions at a time)`,
      columns: ['client', 'runs', 'hangs'],
      rows: [...hangs.entries()].map(([name, h]) => [name, h.runs, h.hangs]),
    },
  ];
  // Runs are paired by index (measured back to back); LiveKit runs that did not complete drop out.
  const paired = (name: string) => {
    const ours: number[] = [];
    const peer: number[] = [];
    cpu.get(name)!.forEach((r, i) => {
      const p = cpu.get(LK)![i];
      if (r.complete && p?.complete) {
        ours.push(r.cpuMsPerAudioS);
        peer.push(p.cpuMsPerAudioS);
      }
    });
    return pairedRatioMedian(ours, peer);
  };
  const ratio16 = paired(OURS16);
  const ratio48 = paired(OURS48);
  const ratios: BenchRatio[] = [
    {
      name: 'STT CPU per audio second, same wire rate (16 kHz): XAISTT / LiveKit xai.STT (median of paired runs)',
      ratio: ratio16,
      target: 0.2,
      met: ratio16 <= 0.2,
      lowerIsBetter: true,
      note: `ratio of means ${ratioText(meanCpu(OURS16) / meanCpu(LK))}`,
    },
    {
      name: 'STT CPU per audio second, XAISTT default wire rate (48 kHz, no resampling) / LiveKit (16 kHz) (median of paired runs)',
      ratio: ratio48,
      target: 0.2,
      met: ratio48 <= 0.2,
      lowerIsBetter: true,
      note: `ratio of means ${ratioText(meanCpu(OURS48) / meanCpu(LK))}`,
    },
  ];
  const oursLoss = [...loss, ...cpuLoss].filter((r) => r.client !== LK);
  const worstOursLoss = Math.max(...oursLoss.map((r) => Math.abs(r.lostMs)));
  const oursHangs = [...hangs.entries()].filter(([n]) => n !== LK).reduce((n, [, h]) => n + h.hangs, 0);
  const checks: BenchCheck[] = [
    {
      name: 'XAISTT audio lost at the end (worst |expected − received| over every run)',
      value: worstOursLoss,
      unit: 'ms',
      target: '0 ms',
      met: worstOursLoss === 0,
    },
    {
      name: `XAISTT hangs over ${HANG_RUNS} runs with transcript.created at once`,
      value: oursHangs,
      unit: 'hangs',
      target: '0',
      met: oursHangs === 0,
    },
  ];
  const lkLoss = loss.find((r) => r.client === LK && r.ended);
  const lkHungLoss = loss.filter((r) => r.client === LK && !r.ended).length;
  return {
    suite: 'stt',
    title: '@x/stt XAISTT vs LiveKit xai.STT (48 kHz input, same simulator)',
    startedAt: input.startedAt,
    durationMs: performance.now() - input.t0,
    environment: environment(),
    tables,
    ratios,
    checks,
    notes: [
      versionNote(input.versions),
      input.load,
      'the simulator (child process) sends transcript.created 20 ms after the handshake for the CPU and loss runs, so LiveKit’s plugin does not miss it; the hang test uses a second simulator that sends it at once',
      'the simulator runs in a child process; CPU is process.cpuUsage() of the benchmark process (all threads, so LiveKit’s native resampler in @livekit/rtc-node counts) from the first push until the stream has ended; no GC is forced between runs (a full GC right before a short run makes it dearer), the order alternates instead',
      "LiveKit's xai.STT resamples to 16 kHz and sends 50 ms messages; XAISTT is shown at the same 16 kHz wire rate and at its default 48 kHz (no resampling, 100 ms messages)",
      "XAISTT at 16 kHz resamples with its default, @x/audio's 'voice' preset (flat to 6.4 kHz, aliases into that band ≥ 75 dB down); LiveKit's STT base uses @livekit/rtc-node's AudioResampler (libsoxr, native) at its default, MEDIUM (16-bit) quality",
      'audio is pushed faster than real time (a turn of the event loop every 500 ms of audio); both clients get identical frames',
      lkLoss
        ? `LiveKit: ${lkLoss.receivedBytes} of ${lkLoss.expectedBytes} bytes reached the server (${fixed(lkLoss.lostMs, 1)} ms lost): at end of input it does not send the partial 50 ms frame its AudioByteStream holds`
        : '',
      lkHungLoss > 0
        ? `LiveKit: ${lkHungLoss} of ${LOSS_RUNS} loss runs never started sending (it missed transcript.created, even with the simulator's default 2 ms ready delay) and ended only when closed; nothing reached the server in them`
        : '',
      'a hang: no non-empty final transcript within the bound; each session is then closed (LiveKit: endInput + close) so nothing is left running',
    ].filter((n) => n !== ''),
    data: {
      versions: input.versions,
      cpu: Object.fromEntries(cpu),
      loss,
      cpuLoss,
      hangs: Object.fromEntries(hangs),
      transcripts: Object.fromEntries(transcripts),
    },
  };
}
