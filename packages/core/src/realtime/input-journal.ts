/**
 * The user audio sent on the current connection that the server has not acknowledged yet, kept so
 * that a dropped connection loses none of it: audio written to a socket that dies may never have
 * been read, and a turn the server had heard but not yet transcribed is not in the client-side
 * history, so the next connection would never hear it.
 *
 * Acknowledgement: the server's transcript of a user turn (`…input_audio_transcription.completed`),
 * or a completed reply after the turn (for servers that send no transcript). The audio of an
 * acknowledged turn is in the history as text and is forgotten at once.
 *
 * - Server VAD: `speech_started` marks a turn (its start minus the prefix padding: the audio
 *   before it was heard as silence and is forgotten), `speech_stopped` its end, the transcript
 *   acknowledges it. Between turns (nothing open) only audio from the first sound on is replayed
 *   (with `leadMs` before it): near-silent audio carries nothing for the server, and sending it
 *   twice would only add to what it already heard. The sound is looked for as the audio is
 *   recorded, and silent audio is forgotten as it comes: until the first sound, only the last
 *   `leadMs` + 500 ms are kept (the margin covers a server that places a turn's start a little
 *   before the first loud frame).
 * - Manual turns: everything since the oldest commit not yet acknowledged, with the commits.
 *
 * Bounded by `maxMs`: beyond it the oldest audio is forgotten; if it belonged to an open turn, the
 * loss is counted (`takeReplay().lostSamples`) so the model can report it when it actually
 * matters, i.e. when the connection drops.
 *
 * Storage: one ring of samples per journal (grown on demand up to `maxMs`, shrunk again after a
 * long turn is acknowledged), not one object per sent batch, so a session holds a single buffer
 * and the garbage collector has nothing per frame to trace.
 */

export interface RealtimeInputJournalOptions {
  /** Rate of the samples recorded (the provider's input rate). */
  sampleRate: number;
  /** Most audio kept, in ms. */
  maxMs: number;
  /** The server detects turns (VAD events drive the journal), or the client commits them. */
  serverVad: boolean;
  /** Audio kept before the first sound of a replay between turns (the server's prefix padding). */
  leadMs: number;
  /** Most samples per audio item of a replay (default 100 ms worth). */
  replayItemSamples?: number;
}

/**
 * What to send again on a new connection, in order. `origin` is the audio's `origin` as recorded
 * (shifted by the part cut off its start), when it was given. The samples are the journal's own:
 * views of storage the journal hands over (it records into new storage afterwards).
 */
export type RealtimeReplayItem = { kind: 'audio'; samples: Int16Array; origin?: number } | { kind: 'commit' };

export interface RealtimeInputReplay {
  items: RealtimeReplayItem[];
  /** Samples of audio in `items`. */
  samples: number;
  /** Samples of an unacknowledged turn forgotten because of `maxMs`. */
  lostSamples: number;
  /** Server VAD: the replay holds a whole turn (start and end seen), which the server will answer on its own. */
  holdsEndedTurn: boolean;
}

/** From position `at` on, the recorded audio's origin counts up from `origin` (or is unknown). */
interface OriginRun {
  at: number;
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
/** Silence kept between turns beyond `leadMs`, before the first sound (see the class comment). */
export const JOURNAL_LEAD_MARGIN_MS = 500;
const EMPTY = new Int16Array(0);

export class RealtimeInputJournal {
  readonly #options: RealtimeInputJournalOptions;
  readonly #maxSamples: number;
  readonly #leadSamples: number;
  readonly #frameSamples: number;
  readonly #frameThreshold: number;
  /** Silent audio kept before the scan position between turns: lead + margin, whole scan frames. */
  readonly #idleKeep: number;
  readonly #replayItemSamples: number;
  /** Ring capacity the journal starts with and shrinks back to. */
  readonly #baseCapacity: number;

  /** Position `#head` is at ring index `#ringHead`; positions up to `#sent` follow it (wrapping). */
  #ring: Int16Array = EMPTY;
  #ringHead = 0;
  /** Position of the first sample kept. */
  #head = 0;
  /** Samples sent on this connection. */
  #sent = 0;
  /** Origins of the kept audio, oldest first; the first run may start before `#head`. */
  #runs: OriginRun[] = [];
  /** Server VAD turns not yet acknowledged, oldest first. */
  #turns: Turn[] = [];
  /** Manual mode: positions of commits not yet acknowledged, oldest first. */
  #commits: number[] = [];
  #lostSamples = 0;

  // The sound scan (server VAD, no open turn): frames of `#frameSamples` from `#scanOrigin`.
  #scanning: boolean;
  #scanOrigin = 0;
  #frameStart = 0;
  #frameSum = 0;
  #frameCount = 0;
  /** Start of the first frame with sound since `#scanOrigin`, once found. */
  #soundAt: number | undefined;

  constructor(options: RealtimeInputJournalOptions) {
    this.#options = options;
    this.#maxSamples = Math.max(1, Math.round((options.maxMs * options.sampleRate) / 1000));
    this.#leadSamples = this.#position(options.leadMs);
    this.#frameSamples = Math.max(1, this.#position(SCAN_FRAME_MS));
    this.#frameThreshold = SOUND_LEVEL * SOUND_LEVEL * this.#frameSamples;
    const keep = this.#position(options.leadMs + JOURNAL_LEAD_MARGIN_MS);
    this.#idleKeep = Math.ceil(keep / this.#frameSamples) * this.#frameSamples;
    this.#replayItemSamples = Math.max(1, Math.round(options.replayItemSamples ?? this.#position(100)));
    // Between turns: the silence kept, a partial scan frame and a batch being recorded (≤ 200 ms).
    this.#baseCapacity = Math.min(this.#maxSamples, this.#idleKeep + this.#position(SCAN_FRAME_MS + 200));
    this.#scanning = options.serverVad;
  }

  /** Samples kept. */
  get retainedSamples(): number {
    return this.#sent - this.#head;
  }

  /** Samples sent on this connection. */
  get sentSamples(): number {
    return this.#sent;
  }

  /** Samples the storage can hold without growing (what the journal allocated). */
  get capacitySamples(): number {
    return this.#ring.length;
  }

  /** Whether a turn (server VAD) or a commit (manual) awaits its acknowledgement. */
  get hasOpenTurn(): boolean {
    return this.#options.serverVad ? this.#turns.length > 0 : this.#commits.length > 0;
  }

  /**
   * Audio just sent on the connection (copied: the caller may reuse `samples`). `origin`
   * (optional) is the caller's own index of its first sample (e.g. its position in everything the
   * user pushed); replay items carry it.
   */
  recordAudio(samples: Int16Array, origin?: number): void {
    const n = samples.length;
    if (n === 0) return;
    const start = this.#sent;
    const excess = start + n - this.#head - this.#maxSamples;
    if (excess > 0) {
      let to = this.#head + excess;
      // Audio of a turn the server has not acknowledged is a loss; audio between turns is not.
      const firstOpen = this.#options.serverVad ? this.#turns[0]?.start : this.#head;
      if (firstOpen !== undefined && to > firstOpen)
        this.#lostSamples += to - Math.max(firstOpen, this.#head);
      // Silence before any sound goes in whole scan frames, so the scan keeps its frame grid.
      if (this.#scanning && this.#soundAt === undefined) to = Math.min(this.#onGrid(to), start + n);
      this.#forget(to);
      if (to > start) {
        // Even part of this audio is beyond the bound.
        this.#head = to;
        this.#sent = to;
      }
    }
    const skip = this.#sent - start;
    this.#noteOrigin(origin === undefined ? undefined : origin + skip);
    this.#append(skip === 0 ? samples : samples.subarray(skip));
    if (!this.#scanning) return;
    // The bound cut into the sound found (or the frame being scanned): look again from the head.
    if (this.#head > (this.#soundAt ?? this.#frameStart)) this.#restartScan();
    else this.#scan(this.#frameStart + this.#frameCount);
    if (this.#soundAt === undefined) this.#forget(this.#frameStart - this.#idleKeep);
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
      audioStartMs === undefined ? this.#head : this.#clamp(this.#position(audioStartMs) - this.#leadSamples);
    this.#turns.push({ itemId, start, end: null });
    this.#scanning = false;
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
      // Between turns again: look for sound from here on (and forget silence as it comes).
      if (this.#turns.length === 0) this.#scanning = true;
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

  /**
   * Takes what to send on the next connection, and starts over (positions from 0). The items'
   * samples stay valid: the journal records into new storage from here on.
   */
  takeReplay(): RealtimeInputReplay {
    let from = this.#head;
    if (this.#options.serverVad && this.#turns.length === 0) {
      const sound = this.#firstSound();
      from = sound === undefined ? this.#sent : this.#clamp(sound - this.#leadSamples);
    }
    const commits = this.#options.serverVad ? [] : this.#commits.filter((at) => at >= from);
    const items: RealtimeReplayItem[] = [];
    let samples = 0;
    let next = 0; // next commit
    let run = 0; // origin run holding `at`
    for (let at = from; ; ) {
      while (next < commits.length && commits[next]! <= at) {
        items.push({ kind: 'commit' });
        next++;
      }
      if (at >= this.#sent) break;
      while (run + 1 < this.#runs.length && this.#runs[run + 1]!.at <= at) run++;
      const index = this.#ringIndex(at);
      let stop = Math.min(this.#sent, at + this.#replayItemSamples, at + (this.#ring.length - index));
      if (next < commits.length) stop = Math.min(stop, commits[next]!);
      const following = this.#runs[run + 1];
      if (following) stop = Math.min(stop, following.at);
      const part = this.#ring.subarray(index, index + (stop - at));
      const origin = this.#runs[run]?.origin;
      items.push(
        origin === undefined
          ? { kind: 'audio', samples: part }
          : { kind: 'audio', samples: part, origin: origin + (at - this.#runs[run]!.at) },
      );
      samples += part.length;
      at = stop;
    }
    const replay: RealtimeInputReplay = {
      items,
      samples,
      lostSamples: this.#lostSamples,
      holdsEndedTurn: this.#options.serverVad && this.#turns.some((t) => t.end !== null && t.start >= from),
    };
    this.reset();
    return replay;
  }

  /** Forgets everything (a new connection); the storage is released. */
  reset(): void {
    this.#ring = EMPTY;
    this.#ringHead = 0;
    this.#head = 0;
    this.#sent = 0;
    this.#runs = [];
    this.#turns = [];
    this.#commits = [];
    this.#lostSamples = 0;
    this.#scanning = this.#options.serverVad;
    this.#restartScan();
  }

  #position(ms: number): number {
    return Math.round((ms * this.#options.sampleRate) / 1000);
  }

  #clamp(position: number): number {
    return Math.min(this.#sent, Math.max(this.#head, position));
  }

  #ringIndex(position: number): number {
    const index = this.#ringHead + (position - this.#head);
    return index >= this.#ring.length ? index - this.#ring.length : index;
  }

  /** `position` rounded up to the scan's frame grid. */
  #onGrid(position: number): number {
    const offset = position - this.#scanOrigin;
    return offset <= 0
      ? position
      : this.#scanOrigin + Math.ceil(offset / this.#frameSamples) * this.#frameSamples;
  }

  /** Stores `samples` as the positions from `#sent` on. */
  #append(samples: Int16Array): void {
    this.#reserve(this.#sent - this.#head + samples.length);
    const ring = this.#ring;
    const index = this.#ringIndex(this.#sent);
    const first = Math.min(samples.length, ring.length - index);
    ring.set(first === samples.length ? samples : samples.subarray(0, first), index);
    if (first < samples.length) ring.set(samples.subarray(first), 0);
    this.#sent += samples.length;
  }

  /** Makes room for `needed` samples (the kept ones move to the start of a bigger ring). */
  #reserve(needed: number): void {
    if (needed <= this.#ring.length) return;
    let capacity = Math.max(this.#baseCapacity, this.#ring.length);
    while (capacity < needed) capacity *= 2;
    this.#resize(Math.min(capacity, Math.max(needed, this.#maxSamples)));
  }

  /** After a long turn went: gives the memory back (down to twice what is kept). */
  #shrink(): void {
    const target = Math.max(this.#baseCapacity, 2 * (this.#sent - this.#head));
    if (this.#ring.length > 2 * target) this.#resize(target);
  }

  /** Moves the kept samples into a new ring of `capacity` (≥ the samples kept), at its start. */
  #resize(capacity: number): void {
    const old = this.#ring;
    const ring = new Int16Array(capacity);
    const kept = this.#sent - this.#head;
    const first = Math.min(kept, old.length - this.#ringHead);
    if (first > 0) ring.set(old.subarray(this.#ringHead, this.#ringHead + first), 0);
    if (kept > first) ring.set(old.subarray(0, kept - first), first);
    this.#ring = ring;
    this.#ringHead = 0;
  }

  /** Notes the origin of the audio about to be stored (merged with the run before when it continues it). */
  #noteOrigin(origin: number | undefined): void {
    const at = this.#sent;
    const last = this.#runs.at(-1);
    if (last) {
      if (last.origin === undefined && origin === undefined) return;
      if (last.origin !== undefined && origin !== undefined && last.origin + (at - last.at) === origin)
        return;
    }
    this.#runs.push({ at, origin });
  }

  /** Forgets the audio before `position` because of a turn event; the sound scan starts over. */
  #trimTo(position: number): void {
    this.#forget(position);
    if (this.#scanning) {
      this.#restartScan();
      if (this.#soundAt === undefined) this.#forget(this.#frameStart - this.#idleKeep);
    }
    this.#shrink();
  }

  /** Forgets the audio before `position` (storage only; the scan is left as it is). */
  #forget(position: number): void {
    const to = Math.min(this.#sent, position);
    if (to <= this.#head) return;
    const length = this.#ring.length;
    this.#ringHead = to === this.#sent || length === 0 ? 0 : (this.#ringHead + (to - this.#head)) % length;
    this.#head = to;
    while (this.#runs.length > 1 && this.#runs[1]!.at <= to) this.#runs.shift();
    if (to === this.#sent) this.#runs = [];
  }

  /** Looks for sound again from the head, over the audio kept. */
  #restartScan(): void {
    this.#scanOrigin = this.#head;
    this.#frameStart = this.#head;
    this.#frameSum = 0;
    this.#frameCount = 0;
    this.#soundAt = undefined;
    if (this.#scanning) this.#scan(this.#head);
  }

  /** Scans the stored audio from `from` (the scan's position) to the end, stopping at the first sound. */
  #scan(from: number): void {
    let at = from;
    while (this.#soundAt === undefined && at < this.#sent) {
      const index = this.#ringIndex(at);
      const end = Math.min(this.#sent, at + (this.#ring.length - index));
      this.#scanSamples(this.#ring, index, index + (end - at));
      at = end;
    }
  }

  #scanSamples(data: Int16Array, from: number, to: number): void {
    const frame = this.#frameSamples;
    const threshold = this.#frameThreshold;
    let sum = this.#frameSum;
    let count = this.#frameCount;
    let frameStart = this.#frameStart;
    for (let i = from; i < to; i++) {
      const v = data[i]!;
      sum += v * v;
      if (++count === frame) {
        if (sum >= threshold) {
          this.#soundAt = frameStart;
          break;
        }
        frameStart += frame;
        sum = 0;
        count = 0;
      }
    }
    this.#frameSum = sum;
    this.#frameCount = count;
    this.#frameStart = frameStart;
  }

  /** Start of the first scan frame (from the scan origin) with any sound, if one; a partial last frame counts pro rata. */
  #firstSound(): number | undefined {
    if (this.#soundAt !== undefined) return this.#soundAt;
    const count = this.#frameCount;
    return count > 0 && this.#frameSum >= (this.#frameThreshold * count) / this.#frameSamples
      ? this.#frameStart
      : undefined;
  }
}
