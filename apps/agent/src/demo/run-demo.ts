import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decodeWav, downmixToMono, resampleFrame } from '@x/audio';
import { type Backend, openBackend } from '../backend.js';
import type { AppOptions } from '../cli/options.js';
import { formatLatencyTable, LATENCY_LEGEND } from '../report/latency-table.js';
import type { PipelineMode } from '../session-factory.js';
import { CALLER_SAMPLE_RATE, type ConversationResult, runConversation } from './conversation.js';

const TITLES: Record<PipelineMode, string> = {
  cascaded: 'cascaded: XAISTT → XAILLM → XAITTS in an AgentSession',
  realtime: 'realtime: XAIRealtime (Grok voice agent) in an AgentSession',
};

export interface DemoOptions extends Pick<AppOptions, 'mode' | 'input' | 'outDir' | 'forceSimulator'> {
  print: (line: string) => void;
  /** Use this backend instead of opening one (tests); it is not closed. */
  backend?: Backend;
  env?: NodeJS.ProcessEnv;
}

/** Reads `--input`: any PCM16 WAV, brought to mono at the caller's rate. */
export async function readCallerWav(path: string): Promise<Int16Array> {
  const frame = decodeWav(new Uint8Array(await readFile(path)));
  const mono = frame.channels === 1 ? frame : downmixToMono(frame);
  return mono.sampleRate === CALLER_SAMPLE_RATE
    ? mono.data
    : resampleFrame(mono, CALLER_SAMPLE_RATE, 'high').data;
}

/** The scripted demo: one call per pipeline mode, transcripts as they happen, then the numbers. */
export async function runDemo(options: DemoOptions): Promise<ConversationResult[]> {
  const { print } = options;
  const callerAudio = options.input ? await readCallerWav(options.input) : undefined;
  const backend =
    options.backend ?? (await openBackend({ forceSimulator: options.forceSimulator, env: options.env }));
  const modes: PipelineMode[] = options.mode === 'both' ? ['cascaded', 'realtime'] : [options.mode];
  const callerInput = backend.kind === 'xai' && !callerAudio ? 'text' : 'voice';
  const results: ConversationResult[] = [];
  try {
    print(
      backend.kind === 'simulator'
        ? `Backend: the local xAI simulator at ${backend.httpUrl} (no XAI_API_KEY; its voice is a tone modem)`
        : 'Backend: api.x.ai (XAI_API_KEY is set)',
    );
    if (callerInput === 'text') {
      print(
        'The caller types (a real service does not understand the simulator voice); pass --input file.wav to speak.',
      );
    }
    for (const mode of modes) {
      print('');
      print(`── ${TITLES[mode]} ${'─'.repeat(Math.max(0, 70 - TITLES[mode].length))}`);
      const result = await runConversation({
        mode,
        backend,
        outDir: options.outDir,
        print,
        callerInput,
        ...(callerAudio ? { callerAudio } : {}),
        stepTimeoutMs: backend.kind === 'xai' ? 30_000 : 20_000,
      });
      results.push(result);
      print('');
      for (const line of formatLatencyTable(result.turns)) print(`  ${line}`);
      print(`  (${LATENCY_LEGEND})`);
      print('');
      print(
        `  ${result.userLines.length} caller turns, ${result.agentLines.length} agent turns, ` +
          `${result.toolCalls} tool call${result.toolCalls === 1 ? '' : 's'}, ` +
          `${result.interruptions} interruption${result.interruptions === 1 ? '' : 's'}; ` +
          `call took ${(result.durationMs / 1000).toFixed(1)} s`,
      );
      print(
        `  agent audio (${(result.wavDurationMs / 1000).toFixed(1)} s, as the caller heard it): ${displayPath(result.wavPath)}`,
      );
    }
  } finally {
    if (!options.backend) await backend.close();
  }
  return results;
}

function displayPath(path: string): string {
  return resolve(path);
}
