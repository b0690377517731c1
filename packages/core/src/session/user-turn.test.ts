import { describe, expect, it } from 'vitest';
import type { SpeechEvent } from '../stt/types.js';
import type { UserTurnInfo } from './speech-handle.js';
import { until } from './test-helpers.js';
import { UserTurnDetector } from './user-turn.js';

function detector(options: { endOfTurnDelayMs?: number; fromTranscripts?: boolean } = {}) {
  const log: string[] = [];
  const turns: UserTurnInfo[] = [];
  const d = new UserTurnDetector({
    endOfTurnDelayMs: options.endOfTurnDelayMs ?? 0,
    minInterruptionSpeechMs: 100,
    speechFromTranscripts: options.fromTranscripts ?? false,
    callbacks: {
      userState: (speaking) => log.push(speaking ? 'speaking' : 'listening'),
      transcript: (e) => log.push(`${e.final ? 'final' : 'interim'}:${e.text}`),
      sustainedSpeech: () => log.push('sustained'),
      endOfTurn: (turn) => turns.push(turn),
    },
  });
  return { d, log, turns };
}

const event = (type: SpeechEvent['type'], text: string, startMs = 0, endMs = 0): SpeechEvent => ({
  type,
  text,
  startMs,
  endMs,
  words: [],
});

describe('UserTurnDetector', () => {
  it('counts only loud audio towards an interruption', () => {
    const { d, log } = detector();
    d.advance(40, 40);
    d.speechStarted(0); // reported after 40 ms of speech
    d.advance(80, 40);
    d.advance(200, 0); // silence before the detector reports the end
    d.advance(300, 0);
    expect(log).toEqual(['speaking']);
    d.advance(320, 20);
    expect(log).toEqual(['speaking', 'sustained']);
    d.advance(340, 20);
    expect(log).toEqual(['speaking', 'sustained']); // once per stretch of speech
  });

  it('counts the silence since the end of speech towards endOfTurnDelayMs', async () => {
    const { d, turns } = detector({ endOfTurnDelayMs: 200 });
    d.speechStarted(0);
    d.advance(1000, 0); // the audio clock: speech ended at 600, 400 ms of silence are in
    d.speechEnded(600);
    d.transcript(event('final', 'late final', 0, 600));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(turns.map((t) => t.text)).toEqual(['late final']);

    // Speech that ended just now: the whole delay is still to come.
    d.speechStarted(1000);
    d.advance(1100, 100);
    d.speechEnded(1100);
    d.transcript(event('final', 'prompt final', 1000, 1100));
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(turns).toHaveLength(1);
    await until(() => turns.length === 2, 'the second turn');
    expect(turns[1]?.text).toBe('prompt final');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(190);
  });

  it('ends the turn after the final transcript once the user stopped, joining utterances', async () => {
    const { d, log, turns } = detector({ endOfTurnDelayMs: 30 });
    d.speechStarted(0);
    d.transcript(event('interim', 'I want'));
    d.transcript(event('final', 'I want', 0, 400));
    d.speechEnded(400);
    d.advance(500, 0);
    // Speech resumes within the delay: no turn yet.
    await new Promise((resolve) => setTimeout(resolve, 10));
    d.speechStarted(520);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(turns).toEqual([]);
    d.transcript(event('locked', 'a large'));
    d.transcript({ ...event('final', 'pizza', 520, 900), utteranceText: 'a large pizza', language: 'en' });
    d.sttLatency(42);
    d.speechEnded(900);
    await until(() => turns.length === 1, 'the turn');
    expect(turns[0]).toMatchObject({ text: 'I want a large pizza', sttLatencyMs: 42, language: 'en' });
    expect(turns[0]?.endOfSpeechAt).toBeTypeOf('number');
    expect(log).toEqual([
      'speaking',
      'interim:I want',
      'final:I want',
      'listening',
      'speaking',
      'interim:a large',
      'final:a large pizza',
      'listening',
    ]);
    d.close();
  });

  it('waits for the final transcript when speech ended first, and for silence when the final came first', async () => {
    const { d, turns } = detector();
    d.speechStarted(0);
    d.transcript(event('interim', 'hello'));
    d.speechEnded(300);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(turns).toHaveLength(0); // an interim is pending
    d.transcript(event('final', 'hello there', 0, 300));
    await until(() => turns.length === 1, 'the first turn');
    d.speechStarted(1000);
    d.transcript(event('final', 'again', 1000, 1200));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(turns).toHaveLength(1); // still speaking
    d.speechEnded(1300);
    await until(() => turns.length === 2, 'the second turn');
    expect(turns.map((t) => t.text)).toEqual(['hello there', 'again']);
    d.close();
  });

  it('infers speech from transcripts when there is no VAD and no STT speech events', async () => {
    const { d, log, turns } = detector({ fromTranscripts: true });
    d.advance(200, 200);
    d.transcript(event('interim', 'good', 0, 200));
    d.advance(300, 100);
    d.transcript(event('final', 'good morning', 0, 300));
    await until(() => turns.length === 1, 'the turn');
    expect(log).toEqual(['speaking', 'sustained', 'interim:good', 'final:good morning', 'listening']);
    // Empty finals (noise) are not turns.
    d.transcript(event('final', '', 400, 500));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(turns).toHaveLength(1);
    d.close();
  });

  it('leaves no timer behind on close', async () => {
    const { d, turns } = detector({ endOfTurnDelayMs: 10_000 });
    d.transcript(event('final', 'bye', 0, 100));
    d.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(turns).toHaveLength(0);
  });
});
