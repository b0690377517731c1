import { describe, expect, it } from 'vitest';
import { RealtimeInputJournal, type RealtimeInputReplay } from './input-journal.js';

const RATE = 1000; // 1 sample per ms keeps positions readable

/** `ms` of samples whose values are their positions (offset by `from`), loud (|v| ≥ 1000) or silent. */
function audio(ms: number, from: number, loud = true): Int16Array {
  const out = new Int16Array(ms);
  for (let i = 0; i < ms; i++) out[i] = loud ? 1000 + ((from + i) % 20_000) : 0;
  return out;
}

function journal(
  options: { serverVad?: boolean; maxMs?: number; leadMs?: number } = {},
): RealtimeInputJournal {
  return new RealtimeInputJournal({
    sampleRate: RATE,
    maxMs: options.maxMs ?? 30_000,
    serverVad: options.serverVad ?? true,
    leadMs: options.leadMs ?? 100,
  });
}

/** Positions of the replayed audio as [first, last] per audio item, and commits as 'commit'. */
function layout(replay: RealtimeInputReplay): Array<[number, number] | 'commit'> {
  return replay.items.map((item) =>
    item.kind === 'commit' ? 'commit' : [item.samples[0]! - 1000, item.samples.at(-1)! - 1000],
  );
}

describe('RealtimeInputJournal (server VAD)', () => {
  it('keeps an unacknowledged turn from its start minus the prefix padding', () => {
    const j = journal();
    j.recordAudio(audio(1000, 0));
    j.speechStarted('a', 400);
    expect(j.retainedSamples).toBe(700); // 300..999
    j.recordAudio(audio(500, 1000));
    j.speechStopped('a', 1200);
    const replay = j.takeReplay();
    expect(layout(replay)).toEqual([
      [300, 999],
      [1000, 1499],
    ]);
    expect(replay.samples).toBe(1200);
    expect(replay.holdsEndedTurn).toBe(true);
    expect(replay.lostSamples).toBe(0);
    // Taking the replay starts over.
    expect(j.retainedSamples).toBe(0);
    expect(j.sentSamples).toBe(0);
  });

  it('forgets a turn once its transcript arrives; between turns only sound is replayed', () => {
    const j = journal();
    j.recordAudio(audio(1000, 0));
    j.speechStarted('a', 200);
    j.speechStopped('a', 800);
    j.recordAudio(audio(600, 1000, false)); // silence after the turn
    j.acknowledge('a');
    expect(j.retainedSamples).toBe(800); // 800..1599, still kept until the next turn starts
    expect(j.hasOpenTurn).toBe(false);
    // Kept audio with sound in it (800..999 is loud here) is replayed from there on, silence included.
    const replay = j.takeReplay();
    expect(layout(replay)[0]).toEqual([800, 999]);
    expect(replay.samples).toBe(800);
  });

  it('replays nothing between turns when the audio since the last turn is silent', () => {
    const j = journal();
    j.recordAudio(audio(500, 0));
    j.speechStarted('a', 0);
    j.speechStopped('a', 500);
    j.recordAudio(audio(2000, 500, false));
    j.acknowledge('a');
    const replay = j.takeReplay();
    expect(replay.items).toEqual([]);
    expect(replay.samples).toBe(0);
    expect(replay.holdsEndedTurn).toBe(false);
  });

  it('between turns, replays from the first sound minus the lead (speech the server had not reached yet)', () => {
    const j = journal({ leadMs: 100 });
    j.recordAudio(audio(1000, 0, false));
    j.recordAudio(audio(500, 1000));
    const replay = j.takeReplay();
    expect(layout(replay).length).toBeGreaterThan(0);
    expect(replay.samples).toBe(600); // 900..1499
    const first = replay.items[0]!;
    expect(first.kind === 'audio' && first.samples.length).toBe(100);
    expect(first.kind === 'audio' && first.samples.every((v) => v === 0)).toBe(true);
  });

  it('a completed reply acknowledges the turns that had ended (servers without transcripts)', () => {
    const j = journal();
    j.recordAudio(audio(1000, 0));
    j.speechStarted('a', 100);
    j.speechStopped('a', 600);
    j.speechStarted('b', 900); // still open
    j.replyCompleted();
    expect(j.hasOpenTurn).toBe(true);
    const replay = j.takeReplay();
    expect(layout(replay)).toEqual([[600, 999]]);
    expect(replay.holdsEndedTurn).toBe(false);
  });

  it('bounded: beyond maxMs the oldest goes, counted as lost only inside an open turn', () => {
    const idle = journal({ maxMs: 1000 });
    idle.recordAudio(audio(3000, 0));
    expect(idle.retainedSamples).toBe(1000);
    expect(idle.takeReplay().lostSamples).toBe(0);

    const open = journal({ maxMs: 1000 });
    open.recordAudio(audio(500, 0));
    open.speechStarted('a', 200); // turn from 100
    open.recordAudio(audio(1000, 500)); // 1500 sent, keep 500..1499: 400 of the turn lost
    const replay = open.takeReplay();
    expect(replay.lostSamples).toBe(400);
    expect(layout(replay)).toEqual([[500, 1499]]);
  });

  it('ignores speech events that repeat or that it cannot place', () => {
    const j = journal();
    j.recordAudio(audio(1000, 0));
    j.speechStarted('a', 500);
    j.speechStarted('a', 900);
    j.speechStopped('zzz', 950); // unknown item: closes the open turn
    j.acknowledge('nope');
    expect(j.takeReplay().samples).toBe(600); // from 400
  });
});

describe('RealtimeInputJournal (manual turns)', () => {
  it('replays everything since the oldest unacknowledged commit, with the commits in place', () => {
    const j = journal({ serverVad: false });
    j.recordAudio(audio(300, 0));
    j.recordCommit();
    j.recordAudio(audio(200, 300));
    j.recordCommit();
    j.recordAudio(audio(100, 500));
    j.acknowledge('item_1'); // the first commit's transcript
    expect(j.hasOpenTurn).toBe(true);
    const replay = j.takeReplay();
    expect(layout(replay)).toEqual([[300, 499], 'commit', [500, 599]]);
    expect(replay.holdsEndedTurn).toBe(false);
  });

  it('splits a chunk at a commit and keeps silence (no VAD to skip it)', () => {
    const j = journal({ serverVad: false });
    j.recordAudio(audio(100, 0, false));
    j.recordCommit();
    j.recordCommit();
    const replay = j.takeReplay();
    expect(replay.items.map((i) => (i.kind === 'audio' ? i.samples.length : i.kind))).toEqual([
      100,
      'commit',
      'commit',
    ]);
  });

  it('counts everything trimmed beyond the bound as lost', () => {
    const j = journal({ serverVad: false, maxMs: 1000 });
    j.recordAudio(audio(1500, 0));
    expect(j.takeReplay().lostSamples).toBe(500);
  });

  it('replay items carry the origin given with the audio, shifted by what was cut off', () => {
    const j = journal({ serverVad: false });
    j.recordAudio(audio(100, 0), 5000);
    j.recordCommit();
    j.recordAudio(audio(100, 100), 5100);
    j.recordAudio(audio(50, 200));
    j.recordCommit();
    j.acknowledge(undefined); // the first commit: audio before it goes
    const replay = j.takeReplay();
    expect(replay.items).toEqual([
      { kind: 'audio', samples: expect.any(Int16Array), origin: 5100 },
      { kind: 'audio', samples: expect.any(Int16Array) },
      { kind: 'commit' },
    ]);
    // A turn start trims mid-chunk: the origin moves with the cut.
    const vad = journal();
    vad.recordAudio(audio(1000, 0), 9000);
    vad.speechStarted('a', 400); // kept from 300 (100 ms lead)
    vad.recordAudio(audio(10, 1000), 10_000);
    const split = vad.takeReplay();
    expect(split.items.map((i) => (i.kind === 'audio' ? [i.samples.length, i.origin] : i.kind))).toEqual([
      [700, 9300],
      [10, 10_000],
    ]);
  });
});
