import { encodeOutputAudio } from './audio-codec.js';
import type { AudioFormat, RealtimeItem, ResponseStatus, ServerEvent, Usage } from './protocol.js';
import type { ReplyPlan } from './replies.js';
import { formatRate } from './session-config.js';

/** Length of one `response.output_audio.delta`. */
export const AUDIO_CHUNK_MS = 100;

export type CancelReason = 'client_cancelled' | 'turn_detected';

export interface ResponseDeps {
  send(event: ServerEvent): void;
  newId(prefix: string): string;
  /** The conversation's last item id, for `previous_item_id`; the response advances it. */
  conversation: { lastItemId: string | null };
  outputFormat: AudioFormat;
  synthesize(text: string, sampleRate: number): Int16Array;
  /** Audio pacing: 1 = real time, 10 = ten times real time, Infinity = as fast as possible. */
  speed: number;
  /** Audio sent ahead of real time at the start of a response (a jitter buffer's worth). */
  leadMs: number;
  /** Token estimate of the input this response answers. */
  inputTokens: number;
  /** Called once, after `response.done`, whatever the status. */
  onDone(run: ResponseRun): void;
}

function tokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * One response, from `response.created` to `response.done`. An audio reply streams transcript and
 * audio deltas interleaved, in order, paced by `speed`; a function call is sent at once.
 */
export class ResponseRun {
  readonly id: string;
  private statusValue: ResponseStatus = 'in_progress';
  private timer: NodeJS.Timeout | undefined;
  private output: RealtimeItem[] = [];
  private outputTokens = 0;
  // audio reply state
  private item: Extract<RealtimeItem, { type: 'message' }> | undefined;
  private samples: Int16Array = new Int16Array(0);
  private chunkSamples = 0;
  private chunks = 0;
  private nextChunk = 0;
  private words: string[] = [];
  private wordChunk: number[] = [];
  private nextWord = 0;
  private transcript = '';
  private startedAt = 0;

  constructor(
    private readonly deps: ResponseDeps,
    private readonly plan: ReplyPlan,
  ) {
    this.id = deps.newId('resp');
  }

  get status(): ResponseStatus {
    return this.statusValue;
  }

  get active(): boolean {
    return this.statusValue === 'in_progress';
  }

  /** The function call this response made, if it made one. */
  get functionCall(): { callId: string; name: string; arguments: string } | undefined {
    const item = this.output[0];
    return item?.type === 'function_call'
      ? { callId: item.call_id, name: item.name, arguments: item.arguments }
      : undefined;
  }

  /** Text of the spoken reply, if this is an audio reply. */
  get text(): string | undefined {
    return this.plan.kind === 'audio' ? this.plan.text : undefined;
  }

  start(): void {
    this.deps.send({
      type: 'response.created',
      response: { id: this.id, object: 'realtime.response', status: 'in_progress', output: [] },
    });
    if (this.plan.kind === 'function_call') this.runFunctionCall(this.plan.name, this.plan.arguments);
    else this.startAudio(this.plan.text);
  }

  /** Stops the response: what was sent stays sent; `response.done` says `cancelled`. */
  cancel(reason: CancelReason): void {
    if (!this.active) return;
    this.clearTimer();
    if (this.item) {
      while (this.nextWord < this.words.length && this.wordChunk[this.nextWord]! < this.nextChunk) {
        this.sendWord();
      }
      this.finishAudio('incomplete');
    }
    this.finish('cancelled', { type: 'cancelled', reason });
  }

  /** Stops timers without sending anything (the connection is gone). */
  dispose(): void {
    this.clearTimer();
    this.statusValue = 'cancelled';
  }

  private addItem(item: RealtimeItem): void {
    this.deps.send({
      type: 'conversation.item.added',
      previous_item_id: this.deps.conversation.lastItemId,
      item,
    });
  }

  private runFunctionCall(name: string, args: string): void {
    const itemId = this.deps.newId('item');
    const callId = this.deps.newId('call');
    const base = {
      id: itemId,
      object: 'realtime.item',
      type: 'function_call',
      name,
      call_id: callId,
    } as const;
    const pending: RealtimeItem = { ...base, status: 'in_progress', arguments: '' };
    this.deps.send({
      type: 'response.output_item.added',
      response_id: this.id,
      output_index: 0,
      item: pending,
    });
    this.addItem(pending);
    const pieces = 3;
    const size = Math.max(1, Math.ceil(args.length / pieces));
    for (let at = 0; at < args.length; at += size) {
      this.deps.send({
        type: 'response.function_call_arguments.delta',
        response_id: this.id,
        item_id: itemId,
        output_index: 0,
        call_id: callId,
        delta: args.slice(at, at + size),
      });
    }
    this.deps.send({
      type: 'response.function_call_arguments.done',
      response_id: this.id,
      item_id: itemId,
      output_index: 0,
      call_id: callId,
      name,
      arguments: args,
    });
    const done: RealtimeItem = { ...base, status: 'completed', arguments: args };
    // xAI is seen to announce a function call item more than once [observed]; clients must dedupe.
    this.addItem(done);
    this.deps.conversation.lastItemId = itemId;
    this.deps.send({ type: 'response.output_item.done', response_id: this.id, output_index: 0, item: done });
    this.output = [done];
    this.outputTokens = tokens(name.length + args.length);
    this.finish('completed');
  }

  private startAudio(text: string): void {
    const itemId = this.deps.newId('item');
    this.item = {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    this.deps.send({
      type: 'response.output_item.added',
      response_id: this.id,
      output_index: 0,
      item: this.item,
    });
    this.addItem(this.item);
    this.deps.conversation.lastItemId = itemId;
    this.deps.send({
      type: 'response.content_part.added',
      response_id: this.id,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_audio', transcript: '' },
    });
    const rate = formatRate(this.deps.outputFormat);
    this.samples = this.deps.synthesize(text, rate);
    this.chunkSamples = Math.round((rate * AUDIO_CHUNK_MS) / 1000);
    this.chunks = Math.ceil(this.samples.length / this.chunkSamples);
    // Each word of the transcript goes out just before the audio chunk where it starts (by position
    // in the text), so transcript and audio stay interleaved and in order.
    this.words = text.match(/\S+\s*/g) ?? [];
    let chars = 0;
    for (const word of this.words) {
      this.wordChunk.push(Math.floor((chars / Math.max(1, text.length)) * this.chunks));
      chars += word.length;
    }
    this.startedAt = performance.now();
    this.pump();
  }

  private sendWord(): void {
    const delta = this.words[this.nextWord++]!;
    this.transcript += delta;
    this.deps.send({
      type: 'response.output_audio_transcript.delta',
      response_id: this.id,
      item_id: this.item!.id,
      output_index: 0,
      content_index: 0,
      delta,
    });
  }

  private sendChunk(k: number): void {
    const chunk = this.samples.subarray(k * this.chunkSamples, (k + 1) * this.chunkSamples);
    this.deps.send({
      type: 'response.output_audio.delta',
      response_id: this.id,
      item_id: this.item!.id,
      output_index: 0,
      content_index: 0,
      delta: encodeOutputAudio(chunk, this.deps.outputFormat),
    });
  }

  private pumpSafely(): void {
    try {
      this.pump();
    } catch {
      // a simulator bug in a timer must not crash the process: end the response as failed
      this.clearTimer();
      if (this.active)
        this.finish('failed', { type: 'failed', error: { type: 'server_error', code: 'internal_error' } });
    }
  }

  /** Sends every chunk that is due, then waits for the next one. */
  private pump(): void {
    this.timer = undefined;
    if (!this.active) return;
    const paced = Number.isFinite(this.deps.speed);
    const elapsed = paced ? (performance.now() - this.startedAt) * this.deps.speed : 0;
    while (this.nextChunk < this.chunks) {
      const dueMs = this.nextChunk * AUDIO_CHUNK_MS - this.deps.leadMs;
      if (paced && dueMs > elapsed) {
        this.timer = setTimeout(() => this.pumpSafely(), Math.max(1, (dueMs - elapsed) / this.deps.speed));
        return;
      }
      while (this.nextWord < this.words.length && this.wordChunk[this.nextWord]! <= this.nextChunk)
        this.sendWord();
      this.sendChunk(this.nextChunk++);
    }
    while (this.nextWord < this.words.length) this.sendWord();
    this.finishAudio('completed');
    this.finish('completed');
  }

  private finishAudio(status: 'completed' | 'incomplete'): void {
    const item = this.item!;
    const ids = { response_id: this.id, item_id: item.id, output_index: 0, content_index: 0 };
    this.deps.send({ type: 'response.output_audio.done', ...ids });
    this.deps.send({ type: 'response.output_audio_transcript.done', ...ids, transcript: this.transcript });
    const part = { type: 'output_audio', transcript: this.transcript };
    this.deps.send({ type: 'response.content_part.done', ...ids, part });
    const done: RealtimeItem = { ...item, status, content: [part] };
    this.deps.send({ type: 'response.output_item.done', response_id: this.id, output_index: 0, item: done });
    this.output = [done];
    const sentRatio = this.chunks === 0 ? 1 : this.nextChunk / this.chunks;
    this.outputTokens = tokens(this.transcript.length) + Math.ceil(sentRatio * this.chunks * 2);
  }

  private finish(status: ResponseStatus, statusDetails?: Record<string, unknown>): void {
    this.statusValue = status;
    const usage: Usage = {
      input_tokens: this.deps.inputTokens,
      output_tokens: this.outputTokens,
      total_tokens: this.deps.inputTokens + this.outputTokens,
    };
    const response: Record<string, unknown> = {
      id: this.id,
      object: 'realtime.response',
      status,
      output: this.output,
      usage,
    };
    if (statusDetails) response.status_details = statusDetails;
    this.deps.send({ type: 'response.done', response, usage });
    this.samples = new Int16Array(0);
    this.deps.onDone(this);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
