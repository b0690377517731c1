import type { TurnMetrics } from '@x/core';
import { describe, expect, it } from 'vitest';
import { formatLatencyTable, formatMs } from './latency-table.js';

function metrics(overrides: Partial<TurnMetrics>): TurnMetrics {
  return {
    type: 'turn',
    turnId: 't',
    mode: 'cascaded',
    sttLatencyMs: null,
    llmTtftMs: null,
    ttsTtfbMs: null,
    endOfSpeechToFirstAudioMs: null,
    interrupted: false,
    usage: null,
    ttsCharacters: 0,
    ...overrides,
  };
}

describe('latency table', () => {
  it('formats milliseconds, and a dash when a value does not apply', () => {
    expect(formatMs(12.6)).toBe('13 ms');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });

  it('prints one aligned row per turn with every latency and the interruption', () => {
    const lines = formatLatencyTable([
      { turn: 1, label: '(call start)', metrics: metrics({ llmTtftMs: 8, ttsTtfbMs: 21.2 }) },
      {
        turn: 2,
        label: 'Tell me a long story about the Eiffel Tower and more',
        metrics: metrics({
          sttLatencyMs: 310,
          llmTtftMs: 5,
          ttsTtfbMs: 12,
          endOfSpeechToFirstAudioMs: 642,
          interrupted: true,
        }),
        callerWaitedMs: 1150.4,
      },
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^turn\s+answering\s+STT latency\s+LLM TTFT\s+TTS TTFB\s+end of speech → first audio\s+caller waited\s+interrupted$/,
    );
    expect(lines[1]).toMatch(/^─+ +─+/);
    expect(lines[2]).toMatch(/^ +1 +\(call start\) +— +8 ms +21 ms +— +— +no$/);
    expect(lines[3]).toContain('Tell me a long story about the Ei…');
    expect(lines[3]).toMatch(/310 ms +5 ms +12 ms +642 ms +1150 ms +yes$/);
    // Columns line up: every line has the "interrupted" column at the same place.
    const column = lines[0]!.indexOf('interrupted');
    expect(lines[2]!.indexOf('no')).toBe(column);
    expect(lines[3]!.indexOf('yes')).toBe(column);
  });
});
