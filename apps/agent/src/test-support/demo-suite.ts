import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationResult } from '../demo/conversation.js';
import { runDemo } from '../demo/run-demo.js';
import { callerLines, SCRIPT } from '../demo/script.js';
import type { PipelineMode } from '../session-factory.js';
import { heardRepliesInWav, words } from './recognize.js';

/**
 * The scripted demo end to end, in-process against the simulator, as `pnpm start --mode <mode>`
 * runs it (real-time caller audio): one run, then assertions on what it printed and wrote. One
 * test file per mode, so the two real-time calls run in parallel.
 */
export function describeDemo(mode: PipelineMode): void {
  describe(`the scripted demo, ${mode} (simulator)`, () => {
    let outDir: string;
    let results: ConversationResult[];
    const printed: string[] = [];

    beforeAll(async () => {
      outDir = await mkdtemp(join(tmpdir(), 'agent-demo-'));
      results = await runDemo({
        mode,
        input: undefined,
        outDir,
        forceSimulator: true,
        print: (line) => printed.push(line),
        env: {},
      });
    }, 40_000);

    afterAll(async () => {
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it('runs the pipeline against the simulator', () => {
      expect(results.map((r) => r.mode)).toEqual([mode]);
      expect(printed[0]).toMatch(/^Backend: the local xAI simulator at http:\/\/127\.0\.0\.1:\d+\/v1/);
      const title = mode === 'cascaded' ? 'cascaded: XAISTT → XAILLM → XAITTS' : 'realtime: XAIRealtime';
      expect(printed.some((l) => l.includes(title))).toBe(true);
    });
    const result = () => results[0]!;

    it('hears exactly the scripted caller lines, and prints them', () => {
      expect(result().userLines).toEqual(callerLines(SCRIPT));
      for (const line of callerLines(SCRIPT)) {
        expect(printed.some((p) => /^\[ *\d+\.\ds\] user {2}› /.test(p) && p.endsWith(line))).toBe(true);
      }
    });

    it('calls get_weather for Paris and speaks its result', () => {
      const tools = result().entries.filter((e) => e.kind === 'tool');
      expect(tools.length).toBeGreaterThanOrEqual(1);
      const call = tools[0]!;
      if (call.kind !== 'tool') throw new Error('not a tool entry');
      expect(call.name).toBe('get_weather');
      expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
      expect(call.isError).toBe(false);
      const forecast = JSON.parse(call.output) as string;
      expect(result().agentLines.some((l) => l.text.includes(forecast))).toBe(true);
      expect(printed.some((p) => p.includes('tool  · get_weather({"city":"Paris"})'))).toBe(true);
    });

    it('is interrupted once by the barge-in and keeps only what was heard', () => {
      const interrupted = result().agentLines.filter((l) => l.interrupted);
      expect(result().interruptions).toBe(1);
      expect(interrupted).toHaveLength(1);
      // The cut reply answered the line the caller talked over; the caller's next line was answered whole.
      const index = result().agentLines.findIndex((l) => l.interrupted);
      expect(index).toBe(result().agentLines.length - 2);
      expect(result().agentLines.at(-1)!.interrupted).toBe(false);
      // What it was going to say, printed next to what was heard: the heard part is its start.
      const cut = result().entries.find((e) => e.kind === 'agent' && e.interrupted);
      if (cut?.kind !== 'agent') throw new Error('no interrupted agent line');
      expect(cut.planned).toBeDefined();
      expect(cut.planned!.startsWith(cut.text)).toBe(true);
      expect(cut.planned!.length).toBeGreaterThan(cut.text.length);
      expect(
        printed.some((p) =>
          p.endsWith(`${cut.text}  [interrupted: the caller heard only this much of "${cut.planned}"]`),
        ),
      ).toBe(true);
      expect(result().turns.filter((t) => t.metrics.interrupted)).toHaveLength(1);
    });

    it('writes agent audio whose recognised words are the printed agent transcript', async () => {
      expect(result().wavPath).toBe(join(outDir, `agent-${mode}.wav`));
      expect(printed.some((p) => p.includes(result().wavPath))).toBe(true);
      const { replies, durationMs } = await heardRepliesInWav(result().wavPath);
      expect(durationMs).toBeCloseTo(result().wavDurationMs, 0);
      const lines = result().agentLines;
      expect(replies.map((r) => r.text).length).toBe(lines.length);
      lines.forEach((line, i) => {
        const heard = replies[i]!.text;
        if (!line.interrupted) {
          expect(heard).toBe(line.text);
          return;
        }
        // Cut off: the transcript is the session's estimate of what was heard (it has no word
        // timings); the audio holds what was really played. Both are the same start of the reply,
        // within two words of each other.
        const printedWords = words(line.text);
        const heardWords = words(heard);
        expect(printedWords.length).toBeGreaterThanOrEqual(2);
        const shorter = Math.min(printedWords.length, heardWords.length);
        expect(heardWords.slice(0, shorter - 1)).toEqual(printedWords.slice(0, shorter - 1));
        expect(Math.abs(heardWords.length - printedWords.length)).toBeLessThanOrEqual(2);
      });
    });

    it('prints a latency table with numbers for every turn', () => {
      const { turns } = result();
      expect(turns.length).toBe(result().agentLines.length);
      const answered = turns.filter((t) => t.label !== '(call start)');
      expect(answered.map((t) => t.label)).toEqual(callerLines(SCRIPT));
      for (const turn of answered) {
        expect(turn.metrics.mode).toBe(mode);
        expect(turn.metrics.endOfSpeechToFirstAudioMs).toBeGreaterThan(0);
        expect(turn.metrics.endOfSpeechToFirstAudioMs).toBeLessThan(5000);
        expect(turn.callerWaitedMs).toBeGreaterThan(0);
        expect(turn.callerWaitedMs).toBeLessThan(5000);
        if (mode === 'cascaded') {
          expect(turn.metrics.sttLatencyMs).toBeGreaterThan(0);
          expect(turn.metrics.llmTtftMs).toBeGreaterThan(0);
          expect(turn.metrics.ttsTtfbMs).toBeGreaterThan(0);
        }
      }
      const header = printed.findIndex(
        (p) => p.includes('STT latency') && p.includes('LLM TTFT') && p.includes('TTS TTFB'),
      );
      expect(header).toBeGreaterThan(-1);
      const table = printed.filter((p) => /^\s+\d+\s{2}/.test(p));
      expect(table.length).toBe(turns.length);
      expect(table.every((row) => /\d+ ms/.test(row))).toBe(true);
    });
  });
}
