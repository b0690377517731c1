import { newItemId } from '../chat/chat-context.js';

/** How one speech ended. The promise of a handle always resolves with this, never rejects. */
export interface SpeechResult {
  /** Cut short by barge-in, `interrupt()` or `close()` (possibly before it started). */
  interrupted: boolean;
  /** What the user heard: the whole text, or only its played part when interrupted. */
  text: string;
  /** The failure that ended the speech early, if one did (it was also emitted as `error`). */
  error?: Error;
}

export type SpeechStatus = 'queued' | 'running' | 'done';

/** What a speech is asked to do. */
export type SpeechRequest =
  | { kind: 'say'; text: string; addToChatContext: boolean }
  | {
      kind: 'reply';
      /** Extra instructions for this reply only. */
      instructions?: string;
      /** A user message added to the chat context when the reply starts. */
      userInput?: string;
      /** The user turn this reply answers (cascaded turn detection). */
      userTurn?: UserTurnInfo;
    };

/** A finished user turn, as turn detection saw it. */
export interface UserTurnInfo {
  text: string;
  language?: string;
  /** `performance.now()` at the end of the user's speech, or null when unknown. */
  endOfSpeechAt: number | null;
  /** The STT's latency for the turn's final transcript, when it reported one. */
  sttLatencyMs: number | null;
}

/**
 * One agent utterance (a `say()`, a `generateReply()` or the reply to a user turn). Speeches play
 * one at a time, in the order they were created. Await the handle (`await handle` or
 * `await handle.done()`) to know when its audio has played out or was cut off.
 */
export class SpeechHandle implements PromiseLike<SpeechResult> {
  readonly id: string;
  /** Whether user speech (barge-in) may cut this speech off. `interrupt()` always can. */
  readonly allowInterruptions: boolean;
  /** @internal What the speech does; read by the pipelines. */
  readonly request: SpeechRequest;

  readonly #controller = new AbortController();
  readonly #done: Promise<SpeechResult>;
  #resolve!: (result: SpeechResult) => void;
  #status: SpeechStatus = 'queued';
  #interrupted = false;
  #onInterrupt: (() => void) | undefined;

  constructor(request: SpeechRequest, allowInterruptions: boolean) {
    this.id = newItemId('speech');
    this.request = request;
    this.allowInterruptions = allowInterruptions;
    this.#done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** `say` or `reply`. */
  get kind(): SpeechRequest['kind'] {
    return this.request.kind;
  }

  get status(): SpeechStatus {
    return this.#status;
  }

  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** Aborts when the speech is interrupted (LLM requests and tools of the speech listen to it). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Stops the speech: a queued one never plays, a running one stops its audio at once and cancels
   * its generation. Idempotent; does nothing once the speech is done.
   */
  interrupt(): void {
    if (this.#status === 'done' || this.#interrupted) return;
    this.#interrupted = true;
    this.#controller.abort(new SpeechInterruptedError(this.id));
    if (this.#status === 'queued') {
      this.finish({ interrupted: true, text: '' });
      return;
    }
    this.#onInterrupt?.();
  }

  /** Resolves when the speech has played out, was interrupted, or failed. Never rejects. */
  done(): Promise<SpeechResult> {
    return this.#done;
  }

  // biome-ignore lint/suspicious/noThenProperty: a handle is deliberately awaitable.
  then<A = SpeechResult, B = never>(
    onFulfilled?: ((value: SpeechResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#done.then(onFulfilled, onRejected);
  }

  /** @internal The pipeline starts running the speech; `onInterrupt` stops it. */
  start(onInterrupt: () => void): void {
    if (this.#status !== 'queued') return;
    this.#status = 'running';
    this.#onInterrupt = onInterrupt;
  }

  /** @internal The speech ended. */
  finish(result: SpeechResult): void {
    if (this.#status === 'done') return;
    this.#status = 'done';
    this.#onInterrupt = undefined;
    this.#resolve({ ...result, interrupted: result.interrupted || this.#interrupted });
  }
}

/** The reason a speech's signal aborts with. */
export class SpeechInterruptedError extends Error {
  constructor(speechId: string) {
    super(`speech ${speechId} was interrupted`);
    this.name = 'SpeechInterruptedError';
  }
}
