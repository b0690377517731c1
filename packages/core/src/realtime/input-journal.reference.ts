/**
 * TEST SUPPORT: the input journal as it was before it stored audio in one ring and forgot silence
 * as it came (one object per sent chunk, sound looked for at replay time). `input-journal.test.ts`
 * drives both with the same random sessions and requires the same replays. Not exported.
 */
import type { RealtimeInputReplay } from './input-journal.js';

interface ReferenceJournalOptions {
  sampleRate: number;
  maxMs: number;
  serverVad: boolean;
  leadMs: number;
}

interface Chunk {
  /** Position of the first sample, counted from the start of the connection. */
  start: number;
  samples: Int16Array;
  /** The caller's index of the first sample (see `recordAudio`). */
  origin: number | undefined;
}

interface Turn {
  itemId: string | undefined;
  start: number;
  end: number | null;
}

/** Frame for the "is there any sound" scan. */
const SCAN_FRAME_MS = 20;
/** -60 dBFS: below any speech detector's threshold, above digital and near-digital silence. */
const SOUND_LEVEL = 10 ** (-60 / 20) * 32768;

export class ReferenceInputJournal {
  readonly #options: ReferenceJournalOptions;
  readonly #maxSamples: number;
  #chunks: Chunk[] = [];
  /** Position of the first sample kept. */
  #head = 0;
  /** Samples sent on this connection. */
  #sent = 0;
  /** Server VAD turns not yet acknowledged, oldest first. */
  #turns: Turn[] = [];
  /** Manual mode: positions of commits not yet acknowledged, oldest first. */
  #commits: number[] = [];
  #lostSamples = 0;

  constructor(options: ReferenceJournalOptions) {
    this.#options = options;
    this.#maxSamples = Math.max(1, Math.round((options.maxMs * options.sampleRate) / 1000));
  }

  /** Samples kept. */
  get retainedSamples(): number {
    return this.#sent - this.#head;
  }

  /** Samples sent on this connection. */
  get sentSamples(): number {
    return this.#sent;
  }

  /** Whether a turn (server VAD) or a commit (manual) awaits its acknowledgement. */
  get hasOpenTurn(): boolean {
    return this.#options.serverVad ? this.#turns.length > 0 : this.#commits.length > 0;
  }

  /**
   * Audio just sent on the connection. `origin` (optional) is the caller's own index of its first
   * sample (e.g. its position in everything the user pushed); replay items carry it.
   */
  recordAudio(samples: Int16Array, origin?: number): void {
    if (samples.length === 0) return;
    this.#chunks.push({ start: this.#sent, samples, origin });
    this.#sent += samples.length;
    const excess = this.retainedSamples - this.#maxSamples;
    if (excess <= 0) return;
    const to = this.#head + excess;
    // Audio of a turn the server has not acknowledged is a loss; audio between turns is not.
    const firstOpen = this.#options.serverVad ? this.#turns[0]?.start : this.#head;
    if (firstOpen !== undefined && to > firstOpen) this.#lostSamples += to - Math.max(firstOpen, this.#head);
    this.#trimTo(to);
  }

  /** A manual commit was just sent. */
  recordCommit(): void {
    if (!this.#options.serverVad) this.#commits.push(this.#sent);
  }

  /** Server VAD heard the start of a turn at `audioStartMs` (ms of audio since the connection began). */
  speechStarted(itemId: string | undefined, audioStartMs: number | undefined): void {
    if (!this.#options.serverVad) return;
    if (itemId !== undefined && this.#turns.some((t) => t.itemId === itemId)) return;
    const start =
      audioStartMs === undefined
        ? this.#head
        : this.#clamp(this.#position(audioStartMs) - this.#position(this.#options.leadMs));
    this.#turns.push({ itemId, start, end: null });
    // What came before the first open turn was heard, and was not speech.
    if (this.#turns.length === 1) this.#trimTo(start);
  }

  /** Server VAD heard the end of the turn at `audioEndMs`. */
  speechStopped(itemId: string | undefined, audioEndMs: number | undefined): void {
    if (!this.#options.serverVad) return;
    const turn =
      (itemId !== undefined ? this.#turns.find((t) => t.itemId === itemId) : undefined) ??
      this.#turns.find((t) => t.end === null);
    if (!turn) return;
    turn.end =
      audioEndMs === undefined ? this.#sent : Math.max(turn.start, this.#clamp(this.#position(audioEndMs)));
  }

  /** The server transcribed user turn `itemId`: it is in the history now. */
  acknowledge(itemId: string | undefined): void {
    if (this.#options.serverVad) {
      const index =
        itemId !== undefined
          ? this.#turns.findIndex((t) => t.itemId === itemId)
          : this.#turns.length > 0
            ? 0
            : -1;
      if (index < 0) return;
      const [turn] = this.#turns.splice(index, 1);
      if (index === 0 && turn)
        this.#trimTo(Math.min(turn.end ?? this.#sent, this.#turns[0]?.start ?? this.#sent));
      return;
    }
    const commit = this.#commits.shift();
    if (commit !== undefined) this.#trimTo(commit);
  }

  /** A reply completed: the turns that had ended (the commits made) before it count as answered. */
  replyCompleted(): void {
    if (!this.#options.serverVad) {
      const last = this.#commits.at(-1);
      this.#commits = [];
      if (last !== undefined) this.#trimTo(last);
      return;
    }
    for (let turn = this.#turns[0]; turn && turn.end !== null; turn = this.#turns[0]) {
      this.acknowledge(turn.itemId);
      if (this.#turns[0] === turn) break;
    }
  }

  /** Takes what to send on the next connection, and starts over (positions from 0). */
  takeReplay(): RealtimeInputReplay {
    let from = this.#head;
    if (this.#options.serverVad && this.#turns.length === 0) {
      const sound = this.#firstSound();
      from = sound === undefined ? this.#sent : this.#clamp(sound - this.#position(this.#options.leadMs));
    }
    const commits = this.#options.serverVad ? [] : this.#commits.filter((at) => at >= from);
    const items: RealtimeInputReplay['items'] = [];
    let samples = 0;
    for (const chunk of this.#chunks) {
      const end = chunk.start + chunk.samples.length;
      if (end <= from) continue;
      let at = Math.max(chunk.start, from);
      while (commits[0] !== undefined && commits[0] <= at) {
        items.push({ kind: 'commit' });
        commits.shift();
      }
      while (at < end) {
        const stop = Math.min(end, commits[0] ?? end);
        if (stop > at) {
          const part = chunk.samples.subarray(at - chunk.start, stop - chunk.start);
          items.push(
            chunk.origin === undefined
              ? { kind: 'audio', samples: part }
              : { kind: 'audio', samples: part, origin: chunk.origin + (at - chunk.start) },
          );
          samples += part.length;
        }
        at = stop;
        if (commits[0] === at) {
          items.push({ kind: 'commit' });
          commits.shift();
        }
      }
    }
    for (let i = 0; i < commits.length; i++) items.push({ kind: 'commit' });
    const replay: RealtimeInputReplay = {
      items,
      samples,
      lostSamples: this.#lostSamples,
      holdsEndedTurn: this.#options.serverVad && this.#turns.some((t) => t.end !== null && t.start >= from),
    };
    this.reset();
    return replay;
  }

  /** Forgets everything (a new connection). */
  reset(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#sent = 0;
    this.#turns = [];
    this.#commits = [];
    this.#lostSamples = 0;
  }

  #position(ms: number): number {
    return Math.round((ms * this.#options.sampleRate) / 1000);
  }

  #clamp(position: number): number {
    return Math.min(this.#sent, Math.max(this.#head, position));
  }

  /** Forgets the audio before `position`. */
  #trimTo(position: number): void {
    const to = Math.min(this.#sent, position);
    if (to <= this.#head) return;
    this.#head = to;
    while (this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const end = first.start + first.samples.length;
      if (end <= to) {
        this.#chunks.shift();
        continue;
      }
      if (first.start < to) {
        const cut = to - first.start;
        this.#chunks[0] = {
          start: to,
          samples: first.samples.subarray(cut),
          origin: first.origin === undefined ? undefined : first.origin + cut,
        };
      }
      break;
    }
  }

  /** Position of the first 20 ms frame (from the head) with any sound, if one. */
  #firstSound(): number | undefined {
    const frame = Math.max(1, this.#position(SCAN_FRAME_MS));
    const threshold = SOUND_LEVEL * SOUND_LEVEL * frame;
    let sum = 0;
    let count = 0;
    let frameStart = this.#head;
    for (const chunk of this.#chunks) {
      const data = chunk.samples;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        sum += v * v;
        if (++count === frame) {
          if (sum >= threshold) return frameStart;
          frameStart += frame;
          sum = 0;
          count = 0;
        }
      }
    }
    return count > 0 && sum >= (threshold * count) / frame ? frameStart : undefined;
  }
}
