import { createAudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../audio-io/clock.js';
import { MemoryAudioOutput } from '../audio-io/memory-output.js';
import { heardSentences, joinHeard } from './interruption.js';
import { SpeechOutput } from './speech-output.js';

const frameMs = (ms: number) => createAudioFrame(new Int16Array(Math.round(ms * 16)).fill(100), 16_000);

describe('heardSentences', () => {
  const sentences = [
    { text: 'Hello there.', audioMs: 600, complete: true },
    { text: 'This is the second sentence.', audioMs: 1400, complete: true },
    { text: 'And a third.', audioMs: 600, complete: true },
  ];

  it('keeps whole sentences that played and cuts the one playing at a word boundary', () => {
    expect(heardSentences(sentences, 0)).toEqual(['', '', '']);
    expect(heardSentences(sentences, 600)).toEqual(['Hello there.', '', '']);
    // 700 of 1400 ms: half of 28 characters → "This is the s|econd" → whole words only.
    expect(heardSentences(sentences, 1300)).toEqual(['Hello there.', 'This is the', '']);
    expect(heardSentences(sentences, 5000)).toEqual(sentences.map((s) => s.text));
    expect(joinHeard(heardSentences(sentences, 1300))).toBe('Hello there. This is the');
  });

  it('estimates a sentence still arriving from the speaking rate of the complete ones', () => {
    // 50 ms per character; the second sentence (28 chars) would last 1400 ms, 400 of it arrived.
    const arriving = [sentences[0]!, { text: 'This is the second sentence.', audioMs: 400, complete: false }];
    expect(heardSentences(arriving, 800)).toEqual(['Hello there.', 'This']);
    // Played time beyond what arrived (1000 ms) is not counted: 400 of 1400 ms → 8 characters.
    expect(heardSentences(arriving, 5000)).toEqual(['Hello there.', 'This is']);
    // With no complete sentence to learn the rate from, the audio so far is all there is.
    const first = [{ text: 'Hello there friend.', audioMs: 500, complete: false }];
    expect(heardSentences(first, 250)).toEqual(['Hello']);
  });
});

describe('SpeechOutput', () => {
  it('keeps one output segment per speech and measures each sentence', async () => {
    const target = new MemoryAudioOutput();
    let firstAudio = 0;
    const out = new SpeechOutput(target, () => firstAudio++);
    out.push(frameMs(20));
    out.push(frameMs(20));
    out.flush(); // end of sentence 1, as the TTS reports it
    expect(target.playing).toBe(true);
    out.push(frameMs(30));
    expect(out.sentenceAudioMs).toEqual([40, 30]);
    expect(out.finishedSentences).toBe(1);
    out.flush();
    expect(firstAudio).toBe(1);
    expect(target.segments).toHaveLength(1);
    out.finish();
    await expect(out.waitForPlayout()).resolves.toEqual({ playedMs: 70, interrupted: false });
    out.push(frameMs(20)); // ignored once finished
    expect(target.receivedMs).toBe(70);
  });

  it('interrupts the output even after the speech finished, while it still plays', async () => {
    const clock = new ManualClock();
    const target = new MemoryAudioOutput({ realtime: clock });
    const out = new SpeechOutput(target, () => {});
    expect(out.playedMs).toBe(0);
    out.push(frameMs(100));
    out.finish();
    clock.advance(30);
    expect(out.playedMs).toBe(30);
    const playout = out.waitForPlayout();
    out.interrupt();
    await expect(playout).resolves.toEqual({ playedMs: 30, interrupted: true });
    expect(target.playing).toBe(false);
    await target.close();
  });

  it('does not touch the output when it never received audio', () => {
    const target = new MemoryAudioOutput();
    target.push(frameMs(20)); // someone else's segment
    const out = new SpeechOutput(target, () => {});
    out.interrupt();
    out.finish();
    expect(target.playing).toBe(true);
    expect(out.playedMs).toBe(0);
  });
});
