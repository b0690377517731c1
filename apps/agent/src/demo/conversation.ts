import { join } from 'node:path';
import { synthesizeVoice } from '@x/simulator';
import { createAgent } from '../agent-definition.js';
import { CallRecorder } from '../audio/call-recorder.js';
import type { Backend } from '../backend.js';
import { type CallEntry, CallLog, GREETING_LABEL } from '../report/call-log.js';
import type { LatencyRow } from '../report/latency-table.js';
import { createSession, type PipelineMode } from '../session-factory.js';
import { waitUntil } from '../util/wait-until.js';
import { CallerMicrophone } from './caller-microphone.js';
import { SCRIPT, type ScriptStep } from './script.js';

/** Rate of the simulated caller's microphone. */
export const CALLER_SAMPLE_RATE = 16000;
/** Rate of the agent's recording. */
export const RECORDING_SAMPLE_RATE = 24000;

export interface ConversationOptions {
  mode: PipelineMode;
  backend: Backend;
  /** Directory of `agent-<mode>.wav`. */
  outDir: string;
  /** Prints transcript lines as they happen. */
  print?: (line: string) => void;
  script?: readonly ScriptStep[];
  /**
   * How the caller talks: `voice` = audio through the microphone (the simulator's voice, or the
   * `--input` recording); `text` = typed turns (`generateReply({ userInput })`), for a real
   * service that cannot understand the simulator's tones.
   */
  callerInput?: 'voice' | 'text';
  /** Mono PCM16 at `CALLER_SAMPLE_RATE` the caller says instead of the script's lines. */
  callerAudio?: Int16Array;
  /** Bound on each wait for the agent (default 20 000 ms). */
  stepTimeoutMs?: number;
}

export interface ConversationResult {
  mode: PipelineMode;
  wavPath: string;
  wavDurationMs: number;
  entries: CallEntry[];
  userLines: string[];
  agentLines: Array<{ text: string; interrupted: boolean }>;
  toolCalls: number;
  interruptions: number;
  turns: LatencyRow[];
  durationMs: number;
}

/** The call could not go on: a component failed. */
export class ConversationError extends Error {
  override readonly cause: Error;
  constructor(mode: PipelineMode, waitingFor: string, cause: Error) {
    super(`${mode} call failed while waiting for ${waitingFor}: ${cause.message}`);
    this.name = 'ConversationError';
    this.cause = cause;
  }
}

/** Runs the scripted call once in one pipeline mode and writes the agent's audio to a WAV file. */
export async function runConversation(options: ConversationOptions): Promise<ConversationResult> {
  const startedAt = performance.now();
  const script = options.callerAudio
    ? ([{ kind: 'greeting' }, { kind: 'say', text: '(recording)' }] as const)
    : (options.script ?? SCRIPT);
  const callerInput = options.callerInput ?? 'voice';
  const timeoutMs = options.stepTimeoutMs ?? 20_000;
  const print = options.print ?? (() => {});

  const recorder = new CallRecorder({ sampleRate: RECORDING_SAMPLE_RATE });
  const session = createSession({ mode: options.mode, backend: options.backend, output: recorder });
  const log = new CallLog(session, { print, startedAt });
  const mic = new CallerMicrophone({
    sampleRate: CALLER_SAMPLE_RATE,
    onFrame: (frame) => session.pushAudio(frame),
  });

  /** When the caller finished each spoken line (performance.now()). */
  const spokenLines: Array<{ text: string; endedAt: number }> = [];

  try {
    await session.start(createAgent());
    if (callerInput === 'voice') mic.start();
    const nowMs = () => performance.now() - startedAt;

    /** Waits for `condition`; a failed speech or a component down for good ends the call at once. */
    const until = (condition: () => boolean, label: string) =>
      waitUntil(
        () => {
          if (log.failure) throw new ConversationError(options.mode, label, log.failure);
          return condition();
        },
        { timeoutMs, label },
      );
    /** The agent finished answering something said at or after `sinceMs`. */
    const replied = (sinceMs: number) => () =>
      log.agentState === 'listening' &&
      log.entries.some((e) => e.kind === 'agent' && e.atMs >= sinceMs && !e.interrupted);

    for (let i = 0; i < script.length; i++) {
      const step = script[i]!;
      const next = script[i + 1];
      if (step.kind === 'greeting') {
        const since = nowMs();
        session.generateReply();
        await until(replied(since), 'the greeting');
        continue;
      }
      if (step.kind === 'barge_in') {
        await until(
          () => log.agentState === 'speaking' && recorder.playedMs >= step.afterAgentMs,
          `${step.afterAgentMs} ms of the agent's answer before barging in`,
        );
      } else {
        await until(() => log.agentState === 'listening', 'the agent to stop talking');
      }

      let since: number;
      if (callerInput === 'voice') {
        const audio = options.callerAudio ?? synthesizeVoice(step.text, CALLER_SAMPLE_RATE);
        await mic.speak(audio);
        spokenLines.push({ text: step.text, endedAt: performance.now() });
        since = nowMs();
      } else {
        if (step.kind === 'barge_in') session.interrupt();
        log.typed(step.text);
        since = nowMs();
        session.generateReply({ userInput: step.text });
      }
      if (next?.kind !== 'barge_in') {
        await until(replied(since), `the answer to "${step.text}"`);
      }
    }
  } finally {
    mic.stop();
    await session.close();
    await recorder.close();
  }

  /**
   * Caller's last sample → agent's first sample, for the turn answering the line `label` (a
   * recording's turn is labelled with what the STT heard: it takes the next line spoken).
   */
  function callerWaited(label: string): number | null {
    let index = spokenLines.findIndex((line) => line.text === label);
    if (index < 0 && options.callerAudio && label !== GREETING_LABEL) index = 0;
    if (index < 0 || index >= spokenLines.length) return null;
    const [line] = spokenLines.splice(index, 1);
    const start = recorder.firstStartAfter(line!.endedAt);
    return start === null ? null : start - line!.endedAt;
  }

  const wavPath = join(options.outDir, `agent-${options.mode}.wav`);
  const wavDurationMs = await recorder.writeWav(wavPath);
  return {
    mode: options.mode,
    wavPath,
    wavDurationMs,
    entries: log.entries,
    userLines: log.userLines,
    agentLines: log.agentLines,
    toolCalls: log.toolCalls.length,
    interruptions: log.agentLines.filter((line) => line.interrupted).length,
    turns: log.turns.map((row) => ({ ...row, callerWaitedMs: callerWaited(row.label) })),
    durationMs: performance.now() - startedAt,
  };
}
