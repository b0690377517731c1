import { describe, expect, it } from 'vitest';
import { RealtimeInputJournal, type RealtimeInputReplay } from './input-journal.js';
import { ReferenceInputJournal } from './input-journal.reference.js';

const RATE = 1000; // 1 sample per ms keeps positions readable

/** `ms` of samples whose values are their positions (offset by `from`), loud (|v| ≥ 1000) or silent. */
function audio(ms: number, from: number, loud = true): Int16Array {
  const out = new Int16Array(ms);
  for (let i = 0; i < ms; i++) out[i] = loud ? 1000 + ((from + i) % 20_000) : 0;
  return out;
}

function journal(
  options: { serverVad?: boolean; maxMs?: number; leadMs?: number; replayItemSamples?: number } = {},
): RealtimeInputJournal {
  return new RealtimeInputJournal({
    sampleRate: RATE,
    maxMs: options.maxMs ?? 30_000,
    serverVad: options.serverVad ?? true,
    leadMs: options.leadMs ?? 100,
    replayItemSamples: options.replayItemSamples ?? 1_000_000,
  });
}

/** The replayed audio in one array (commits left out). */
function joined(replay: RealtimeInputReplay): Int16Array {
  const parts = replay.items.flatMap((i) => (i.kind === 'audio' ? [i.samples] : []));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Positions of the replayed loud audio as [first, last] spans (consecutive items merged, however
 * the journal cut them), and commits as 'commit'.
 */
function spans(replay: RealtimeInputReplay): Array<[number, number] | 'commit'> {
  const out: Array<[number, number] | 'commit'> = [];
  for (const item of replay.items) {
    if (item.kind === 'commit') {
      out.push('commit');
      continue;
    }
    for (const v of item.samples) {
      const last = out.at(-1);
      if (Array.isArray(last) && last[1] === v - 1001) last[1] = v - 1000;
      else out.push([v - 1000, v - 1000]);
    }
  }
  return out;
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
    expect(spans(replay)).toEqual([[300, 1499]]);
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
    expect(j.retainedSamples).toBe(800); // 800..1599: sound at 800, kept until the next turn starts
    expect(j.hasOpenTurn).toBe(false);
    // Kept audio with sound in it (800..999 is loud here) is replayed from there on, silence included.
    const replay = j.takeReplay();
    const all = joined(replay);
    expect(all.length).toBe(800);
    expect(Array.from(all.subarray(0, 200))).toEqual(Array.from(audio(200, 800)));
    expect(all.subarray(200).every((v) => v === 0)).toBe(true);
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
    expect(replay.samples).toBe(600); // 900..1499
    const all = joined(replay);
    expect(all.subarray(0, 100).every((v) => v === 0)).toBe(true);
    expect(spans({ ...replay, items: [{ kind: 'audio', samples: all.subarray(100) }] })).toEqual([
      [1000, 1499],
    ]);
  });

  it('between turns, forgets silence as it is recorded: only the lead and a margin stay', () => {
    const j = journal({ leadMs: 100 });
    // 20 s of silence in 40 ms batches: the lead (100 ms) + 500 ms margin, in 20 ms scan frames.
    for (let at = 0; at < 20_000; at += 40) j.recordAudio(audio(40, at, false));
    expect(j.retainedSamples).toBeLessThanOrEqual(600 + 20);
    expect(j.retainedSamples).toBeGreaterThanOrEqual(600);
    expect(j.capacitySamples).toBeLessThan(1000);
    // Speech then comes: the silence kept before it stays, and is replayed from the lead on.
    for (let at = 20_000; at < 21_000; at += 40) j.recordAudio(audio(40, at));
    expect(j.retainedSamples).toBe(1600);
    const replay = j.takeReplay();
    expect(replay.samples).toBe(1100);
    expect(
      joined(replay)
        .subarray(0, 100)
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('a turn start just before the kept silence loses nothing but silence', () => {
    const j = journal({ leadMs: 100 });
    for (let at = 0; at < 5000; at += 40) j.recordAudio(audio(40, at, false));
    for (let at = 5000; at < 5400; at += 40) j.recordAudio(audio(40, at));
    // The server places the start 300 ms before the first loud sample (its own window): kept.
    j.speechStarted('a', 4700);
    const replay = j.takeReplay();
    expect(replay.samples).toBe(800); // 4600..5399
    expect(spans({ ...replay, items: [{ kind: 'audio', samples: joined(replay).subarray(400) }] })).toEqual([
      [5000, 5399],
    ]);
  });

  it('gives memory back after a long turn is acknowledged', () => {
    const j = journal({ leadMs: 100 });
    j.recordAudio(audio(40, 0));
    j.speechStarted('a', 0);
    for (let at = 40; at < 20_000; at += 40) j.recordAudio(audio(40, at));
    expect(j.capacitySamples).toBeGreaterThanOrEqual(20_000);
    j.speechStopped('a', 20_000);
    for (let at = 20_000; at < 20_400; at += 40) j.recordAudio(audio(40, at, false));
    j.acknowledge('a');
    expect(j.retainedSamples).toBe(400);
    expect(j.capacitySamples).toBeLessThan(2000);
    expect(j.takeReplay().items).toEqual([]);
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
    expect(spans(replay)).toEqual([[600, 999]]);
    expect(replay.holdsEndedTurn).toBe(false);
  });

  it('bounded: beyond maxMs the oldest goes, counted as lost only inside an open turn', () => {
    const idle = journal({ maxMs: 1000 });
    idle.recordAudio(audio(3000, 0));
    expect(idle.retainedSamples).toBe(1000);
    expect(idle.capacitySamples).toBe(1000);
    expect(idle.takeReplay().lostSamples).toBe(0);

    const open = journal({ maxMs: 1000 });
    open.recordAudio(audio(500, 0));
    open.speechStarted('a', 200); // turn from 100
    open.recordAudio(audio(1000, 500)); // 1500 sent, keep 500..1499: 400 of the turn lost
    const replay = open.takeReplay();
    expect(replay.lostSamples).toBe(400);
    expect(spans(replay)).toEqual([[500, 1499]]);
  });

  it('between turns, a sound the bound pushed out no longer holds the silence after it', () => {
    const j = journal({ maxMs: 1000, leadMs: 100 });
    j.recordAudio(audio(200, 0)); // a click the server did not take for speech
    for (let at = 200; at < 1000; at += 40) j.recordAudio(audio(40, at, false));
    expect(j.retainedSamples).toBe(1000); // from the click on: it would be replayed
    for (let at = 1000; at < 3000; at += 40) j.recordAudio(audio(40, at, false));
    expect(j.retainedSamples).toBeLessThanOrEqual(620);
    expect(j.takeReplay().items).toEqual([]);
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

  it('cuts a replay into items of at most replayItemSamples, in order', () => {
    const j = journal({ replayItemSamples: 40 });
    j.recordAudio(audio(1000, 0));
    j.speechStarted('a', 100); // from 0
    const replay = j.takeReplay();
    expect(replay.items.length).toBe(25);
    expect(replay.items.every((i) => i.kind === 'audio' && i.samples.length === 40)).toBe(true);
    expect(spans(replay)).toEqual([[0, 999]]);
  });

  it('a replay stays intact while the journal records the next connection’s audio', () => {
    const j = journal({ replayItemSamples: 40 });
    for (let at = 0; at < 2000; at += 40) j.recordAudio(audio(40, at), at);
    j.speechStarted('a', 600);
    const replay = j.takeReplay();
    // Sending the replay records it again (as the model does), then new audio follows.
    for (const item of replay.items) if (item.kind === 'audio') j.recordAudio(item.samples, item.origin);
    for (let at = 2000; at < 3000; at += 40) j.recordAudio(audio(40, at), at);
    expect(spans(replay)).toEqual([[500, 1999]]);
    j.speechStarted('b', 0);
    const again = j.takeReplay();
    expect(spans(again)).toEqual([[500, 2999]]);
    expect(again.items[0]).toMatchObject({ kind: 'audio', origin: 500 });
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
    expect(spans(replay)).toEqual([[300, 499], 'commit', [500, 599]]);
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
    // A turn start trims mid-chunk: the origin moves with the cut; a jump in origin starts an item.
    const vad = journal();
    vad.recordAudio(audio(1000, 0), 9000);
    vad.speechStarted('a', 400); // kept from 300 (100 ms lead)
    vad.recordAudio(audio(10, 1000), 10_000); // continues the origins
    vad.recordAudio(audio(10, 1010), 20_000); // does not
    const split = vad.takeReplay();
    expect(split.items.map((i) => (i.kind === 'audio' ? [i.samples.length, i.origin] : i.kind))).toEqual([
      [710, 9300],
      [10, 20_000],
    ]);
  });
});

/** A deterministic pseudo-random generator (tests must not flake). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Each replayed sample with its origin (or -1), and the commits as 'c', in order. */
function flatten(replay: RealtimeInputReplay): Array<number | string> {
  const out: Array<number | string> = [];
  for (const item of replay.items) {
    if (item.kind === 'commit') out.push('c');
    else
      for (let i = 0; i < item.samples.length; i++)
        out.push(`${item.samples[i]}@${item.origin === undefined ? -1 : item.origin + i}`);
  }
  return out;
}

describe('RealtimeInputJournal vs the per-chunk journal it replaced', () => {
  // Random sessions at 24 kHz in 40 ms batches: silence, room tone below the sound level, speech;
  // turns started within 500 ms of the audio sent (as a server VAD reports them); replays taken
  // at random points. Every replay must match sample for sample (origins and commits included).
  for (const serverVad of [true, false]) {
    it(`${serverVad ? 'server VAD' : 'manual turns'}: the same replays, sample for sample`, () => {
      const rate = 24_000;
      const batch = 960;
      for (let seed = 1; seed <= 6; seed++) {
        const rnd = random(seed);
        const options = {
          sampleRate: rate,
          // Manual mode: a small bound, so trimming at it is compared too (server VAD: see below).
          maxMs: serverVad ? 600_000 : 2000 + Math.floor(rnd() * 3000),
          serverVad,
          leadMs: Math.floor(rnd() * 400),
        };
        const ours = new RealtimeInputJournal({ ...options, replayItemSamples: batch });
        const reference = new ReferenceInputJournal(options);
        let origin = 0;
        let level = 0;
        let turn = 0;
        let open: string[] = [];
        for (let step = 0; step < 1200; step++) {
          const r = rnd();
          if (r < 0.8) {
            if (rnd() < 0.08) level = [0, 20, 3000][Math.floor(rnd() * 3)]!;
            const samples = new Int16Array(rnd() < 0.1 ? 1 + Math.floor(rnd() * batch) : batch);
            for (let i = 0; i < samples.length; i++) samples[i] = Math.round((rnd() * 2 - 1) * level);
            const given = rnd() < 0.05 ? undefined : origin;
            ours.recordAudio(samples, given);
            reference.recordAudio(samples, given);
            origin += samples.length + (rnd() < 0.02 ? 480 : 0);
          } else if (r < 0.84) {
            ours.recordCommit();
            reference.recordCommit();
          } else if (r < 0.88) {
            const id = `t${turn++}`;
            const sentMs = (ours.sentSamples * 1000) / rate;
            const startMs = Math.max(0, sentMs - rnd() * 500);
            ours.speechStarted(id, startMs);
            reference.speechStarted(id, startMs);
            open.push(id);
          } else if (r < 0.92) {
            const id = open[Math.floor(rnd() * open.length)];
            const endMs = (ours.sentSamples * 1000) / rate - rnd() * 300;
            ours.speechStopped(id, endMs);
            reference.speechStopped(id, endMs);
          } else if (r < 0.96) {
            const id = rnd() < 0.1 ? undefined : open[0];
            ours.acknowledge(id);
            reference.acknowledge(id);
            open = open.filter((o) => o !== id);
          } else if (r < 0.98) {
            ours.replyCompleted();
            reference.replyCompleted();
          } else {
            const a = ours.takeReplay();
            const b = reference.takeReplay();
            expect(flatten(a)).toEqual(flatten(b));
            expect([a.samples, a.lostSamples, a.holdsEndedTurn]).toEqual([
              b.samples,
              b.lostSamples,
              b.holdsEndedTurn,
            ]);
            open = [];
          }
          expect(ours.sentSamples).toBe(reference.sentSamples);
          expect(ours.hasOpenTurn).toBe(reference.hasOpenTurn);
        }
      }
    });
  }
});
