import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudioFrame, encodeWav } from '@x/audio';
import { synthesizeVoice } from '@x/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../backend.js';
import { heardRepliesInWav } from '../test-support/recognize.js';
import { ConversationError, type ConversationResult, runConversation } from './conversation.js';
import { readCallerWav, runDemo } from './run-demo.js';
import { callerLines, SCRIPT } from './script.js';

const QUESTION = "What's the weather in Paris?";

/**
 * The two other ways the caller can talk (what a real key uses): typed turns, and a recording
 * given with --input. Run against the simulator, through the same code as the voice demo.
 */
describe('caller input other than the simulated voice', () => {
  let backend: Backend;
  let dir: string;
  let typed: ConversationResult;
  let recorded: ConversationResult;
  const printed: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-input-'));
    backend = await openBackend({ forceSimulator: true });
    // A 44.1 kHz stereo recording: --input accepts any PCM16 WAV.
    const rate = 44100;
    const voice = synthesizeVoice(QUESTION, rate);
    const stereo = new Int16Array((voice.length + rate) * 2);
    voice.forEach((sample, i) => {
      stereo[(i + rate / 2) * 2] = sample;
      stereo[(i + rate / 2) * 2 + 1] = sample;
    });
    const wav = join(dir, 'question.wav');
    await writeFile(wav, encodeWav(createAudioFrame(stereo, rate, 2)));
    [typed, [recorded]] = await Promise.all([
      runConversation({ mode: 'cascaded', backend, outDir: dir, callerInput: 'text' }),
      runDemo({
        mode: 'realtime',
        input: wav,
        outDir: dir,
        forceSimulator: true,
        backend,
        print: (line) => printed.push(line),
      }) as Promise<[ConversationResult]>,
    ]);
  }, 30_000);

  afterAll(async () => {
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('typed turns: the script as text, with the tool call and the interruption', async () => {
    expect(typed.userLines).toEqual(callerLines(SCRIPT));
    expect(typed.toolCalls).toBe(1);
    expect(typed.interruptions).toBe(1);
    expect(typed.turns.map((t) => t.label)).toEqual(['(call start)', ...callerLines(SCRIPT)]);
    // Typed turns follow each other without pauses, so the replies run together in the audio.
    const { replies } = await heardRepliesInWav(typed.wavPath);
    const heard = replies.map((r) => r.text).join(' ');
    for (const line of typed.agentLines.filter((l) => !l.interrupted)) expect(heard).toContain(line.text);
    expect(heard.endsWith(typed.agentLines.at(-1)!.text)).toBe(true);
  });

  it('--input: reads any PCM16 WAV as mono at the caller rate', async () => {
    const samples = await readCallerWav(join(dir, 'question.wav'));
    expect(samples.length).toBe(
      Math.round(((synthesizeVoice(QUESTION, 44100).length + 44100) * 16000) / 44100),
    );
  });

  it('--input: the caller says the recording once and the agent answers it', async () => {
    expect(recorded.userLines).toEqual([QUESTION]);
    expect(recorded.toolCalls).toBe(1);
    expect(recorded.agentLines).toHaveLength(2);
    expect(recorded.agentLines[1]!.text).toContain('Paris');
    expect(recorded.turns.map((t) => t.callerWaitedMs === null)).toEqual([true, false]);
    expect(recorded.turns[1]!.callerWaitedMs).toBeGreaterThan(0);
    expect(printed.some((line) => line.includes('user  › ' + QUESTION))).toBe(true);
    const { replies } = await heardRepliesInWav(recorded.wavPath);
    expect(replies.map((r) => r.text)).toEqual(recorded.agentLines.map((l) => l.text));
  });
});

describe('a call that cannot go on', () => {
  it('fails fast, naming the component error, and leaves nothing running', async () => {
    const simulator = await openBackend({ forceSimulator: true });
    const dir = await mkdtemp(join(tmpdir(), 'agent-fail-'));
    try {
      // The simulator refuses keys that start with "invalid", as xAI refuses a wrong key.
      const backend = { ...simulator, apiKey: 'invalid-key' };
      const started = performance.now();
      const error = await runConversation({ mode: 'cascaded', backend, outDir: dir }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConversationError);
      expect((error as Error).message).toMatch(/cascaded call failed while waiting for the greeting: .*400/);
      expect((error as Error).message).not.toContain('invalid-key');
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
