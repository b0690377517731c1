import type { AudioOutput } from '../../audio-io/audio-output.js';
import type { APIError } from '../../errors/errors.js';
import type { RealtimeConversationEntry } from '../../realtime/conversation.js';
import {
  RealtimeModel,
  type RealtimeFunctionCallResult,
  type RealtimeResponseRequest,
} from '../../realtime/realtime-model.js';
import type { ConnectOptions } from '../../retry/connect-options.js';

/** What the fake "model" does for one reply. */
export interface FakeRealtimeReply {
  /** Spoken text: streamed as transcript deltas and tone audio (one tone per word). */
  text?: string;
  /** Function calls (made before any spoken text of the same reply). */
  toolCalls?: Array<{ name: string; arguments: unknown }>;
}

export interface FakeReplyInput {
  /** What the user said or typed since the last reply (null if nothing). */
  userText: string | null;
  /** Tool outputs received since the last reply. */
  toolOutputs: readonly RealtimeFunctionCallResult[];
  /** Replies made so far. */
  replyIndex: number;
}

/** What the fake received from the base, in order (for assertions). */
export type FakeRealtimeSent =
  | { type: 'audio'; samples: number }
  | { type: 'commit' }
  | { type: 'user_message'; text: string }
  | { type: 'create_response'; instructions?: string }
  | { type: 'cancel_response' }
  | { type: 'function_call_output'; result: RealtimeFunctionCallResult }
  | { type: 'session_update' }
  | { type: 'restore'; entries: RealtimeConversationEntry[] };

export interface FakeRealtimeModelOptions {
  /** Replies in order, or a function of the input. Default: tool outputs are read back, else "You said: …". */
  replies?: FakeRealtimeReply[] | ((input: FakeReplyInput) => FakeRealtimeReply);
  /** What the fake "hears" in each spoken turn. Default: "(speech)". */
  hear?: (turn: number) => string;
  /** Server VAD (default) or manual turns (`commitAudio` + `createResponse`). */
  turnDetection?: 'server_vad' | null;
  /** Input and output rate (default 24 000). */
  sampleRate?: number;
  /** Audio per spoken word (default 120 ms). */
  msPerWord?: number;
  /** Audio per delta (default 20 ms). */
  chunkMs?: number;
  /** Delivery speed of reply audio: 1 = real time; Infinity (default) = all at once. */
  speed?: number;
  /** The "server's" think time: from `response.created` to the reply's first transcript and audio (default 0). */
  replyDelayMs?: number;
  /** Level (0..1 RMS) above which input is speech (default 0.02). */
  speechThreshold?: number;
  /** Silence that ends a spoken turn (default 200 ms). */
  silenceMs?: number;
  /** The server cancels its reply when user speech starts, as xAI does (default true). */
  serverCancelsOnSpeech?: boolean;
  /** The first connection attempts fail with these errors, in order. */
  connectFailures?: APIError[];
  output?: AudioOutput;
  connectOptions?: Partial<ConnectOptions>;
  /** See `RealtimeModelOptions.responseTimeoutMs` (default 15 000; 0 = off). */
  responseTimeoutMs?: number;
  /** See `RealtimeModelOptions.maxReplayInputMs`. */
  maxReplayInputMs?: number;
  /** See `RealtimeModelOptions.maxBufferedInputMs`. */
  maxBufferedInputMs?: number;
}

interface FakeReplyRun {
  id: string;
  timers: Set<NodeJS.Timeout>;
  done: boolean;
  itemId: string;
  transcript: string;
}

/**
 * A scripted, in-process `RealtimeModel` for tests (AgentSession, apps) and as the reference the
 * conformance suite is proven against. It plays a tiny server: an energy VAD on the pushed audio,
 * scripted transcripts and replies (tone audio with transcript deltas), function calls, cancel on
 * barge-in, and optional real-time pacing. Server events are delivered asynchronously and in order,
 * like a socket's.
 */
export class FakeRealtimeModel extends RealtimeModel {
  /** Everything the base asked the fake to send, in order. */
  readonly sent: FakeRealtimeSent[] = [];
  /** Connection attempts made (including failed ones). */
  connectAttempts = 0;

  readonly #options: FakeRealtimeModelOptions;
  readonly #failures: APIError[];
  #connected = false;
  #ids = 0;
  #turns = 0;
  #replies = 0;
  #inSpeech = false;
  #speechItem: string | undefined;
  #silenceSamples = 0;
  #heardSamples = 0;
  /** Samples received on this connection (the time base of the VAD events' `audio_*_ms`). */
  #connectionSamples = 0;
  #lastSpeechEnd = 0;
  #userText: string | null = null;
  #toolOutputs: RealtimeFunctionCallResult[] = [];
  #active: FakeReplyRun | undefined;
  #queue: Array<() => void> = [];
  #draining = false;

  constructor(options: FakeRealtimeModelOptions = {}) {
    const sampleRate = options.sampleRate ?? 24_000;
    super({
      provider: 'fake',
      model: 'fake-realtime',
      inputSampleRate: sampleRate,
      outputSampleRate: sampleRate,
      ...(options.output ? { output: options.output } : {}),
      connectOptions: { retryIntervalMs: 10, ...options.connectOptions },
      turnDetection: options.turnDetection === null ? 'manual' : 'server',
      inputPrefixPaddingMs: 0,
      ...(options.responseTimeoutMs !== undefined ? { responseTimeoutMs: options.responseTimeoutMs } : {}),
      ...(options.maxReplayInputMs !== undefined ? { maxReplayInputMs: options.maxReplayInputMs } : {}),
      ...(options.maxBufferedInputMs !== undefined ? { maxBufferedInputMs: options.maxBufferedInputMs } : {}),
    });
    this.#options = options;
    this.#failures = [...(options.connectFailures ?? [])];
  }

  /** Whether the fake "socket" is open. */
  get connected(): boolean {
    return this.#connected;
  }

  /** The next connection attempts (e.g. the reconnect after `simulateDrop`) fail with these errors, in order. */
  failNextConnects(...errors: APIError[]): void {
    this.#failures.push(...errors);
  }

  /** Drops the connection as a network failure would (the base reconnects). */
  simulateDrop(error: APIError): void {
    this.#stopReply();
    this.#connected = false;
    this.#queue = [];
    this.handleConnectionLost(error);
  }

  // ---------------------------------------------------------------- transport hooks

  protected async openConnection(signal: AbortSignal): Promise<void> {
    this.connectAttempts++;
    await Promise.resolve();
    signal.throwIfAborted();
    const failure = this.#failures.shift();
    if (failure) throw failure;
    // A new server session: its input audio starts from nothing.
    this.#inSpeech = false;
    this.#speechItem = undefined;
    this.#silenceSamples = 0;
    this.#heardSamples = 0;
    this.#connectionSamples = 0;
    this.#lastSpeechEnd = 0;
    this.#connected = true;
  }

  protected async closeConnection(): Promise<void> {
    this.#stopReply();
    this.#connected = false;
    this.#queue = [];
  }

  protected sendAudio(samples: Int16Array): void {
    this.sent.push({ type: 'audio', samples: samples.length });
    this.#hearAudio(samples);
  }

  protected sendCommit(): void {
    this.sent.push({ type: 'commit' });
    if (this.#heardSamples === 0) return;
    const itemId = this.#newId('item');
    this.#heardSamples = 0;
    const text = this.#hear();
    this.#deliver(() => {
      this.handleUserItem(itemId);
      this.handleUserTranscript(itemId, text);
    });
  }

  protected sendUserMessage(text: string): void {
    this.sent.push({ type: 'user_message', text });
    this.#userText = text;
  }

  protected sendCreateResponse(request: RealtimeResponseRequest = {}): void {
    this.sent.push({
      type: 'create_response',
      ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
    });
    this.#deliver(() => this.#startReply());
  }

  protected sendCancelResponse(): void {
    this.sent.push({ type: 'cancel_response' });
    this.#deliver(() => this.#cancelReply());
  }

  protected sendFunctionCallOutput(result: RealtimeFunctionCallResult): void {
    this.sent.push({ type: 'function_call_output', result });
    this.#toolOutputs.push(result);
  }

  protected sendSessionUpdate(): void {
    this.sent.push({ type: 'session_update' });
  }

  protected restoreConversation(entries: readonly RealtimeConversationEntry[]): void {
    this.sent.push({ type: 'restore', entries: entries.map((entry) => ({ ...entry })) });
    // The new session knows what is still unanswered: user text and tool outputs after the last
    // complete assistant message.
    this.#userText = null;
    this.#toolOutputs = [];
    for (const entry of entries) {
      if (entry.type === 'message' && entry.role === 'user') this.#userText = entry.text;
      else if (entry.type === 'message' && !entry.interrupted) {
        this.#userText = null;
        this.#toolOutputs = [];
      } else if (entry.type === 'function_call_output') this.#toolOutputs.push({ ...entry });
    }
  }

  // ---------------------------------------------------------------- the fake server

  #newId(kind: string): string {
    return `${kind}_fake_${++this.#ids}`;
  }

  #hear(): string {
    return this.#options.hear?.(this.#turns++) ?? '(speech)';
  }

  /** Server events arrive asynchronously and in order, like a socket's. */
  #deliver(event: () => void): void {
    this.#queue.push(event);
    if (this.#draining) return;
    this.#draining = true;
    queueMicrotask(() => {
      this.#draining = false;
      const events = this.#queue.splice(0);
      for (const run of events) if (this.#connected) run();
    });
  }

  #hearAudio(samples: Int16Array): void {
    const rate = this.inputSampleRate;
    const at = this.#connectionSamples;
    this.#connectionSamples += samples.length;
    if (this.#options.turnDetection === null) {
      this.#heardSamples += samples.length;
      return;
    }
    let sum = 0;
    for (let i = 0; i < samples.length; i++) sum += (samples[i]! / 32768) ** 2;
    const level = samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
    if (level >= (this.#options.speechThreshold ?? 0.02)) {
      this.#silenceSamples = 0;
      this.#lastSpeechEnd = this.#connectionSamples;
      if (!this.#inSpeech) {
        this.#inSpeech = true;
        const itemId = this.#newId('item');
        this.#speechItem = itemId;
        // The server cancels its reply when the user talks over it, as xAI does.
        if (this.#active && this.#options.serverCancelsOnSpeech !== false)
          this.#deliver(() => this.#cancelReply());
        const startMs = (at * 1000) / rate;
        this.#deliver(() => this.handleUserSpeechStarted(itemId, startMs));
      }
      return;
    }
    if (!this.#inSpeech) return;
    this.#silenceSamples += samples.length;
    if ((this.#silenceSamples * 1000) / rate < (this.#options.silenceMs ?? 200)) return;
    this.#inSpeech = false;
    this.#silenceSamples = 0;
    const itemId = this.#speechItem ?? this.#newId('item');
    const text = this.#hear();
    this.#userText = text;
    const endMs = (this.#lastSpeechEnd * 1000) / rate;
    this.#deliver(() => {
      this.handleUserSpeechStopped(itemId, endMs);
      this.handleUserItem(itemId);
      this.handleUserTranscript(itemId, text);
      this.#startReply();
    });
  }

  #nextReply(): FakeRealtimeReply {
    const input: FakeReplyInput = {
      userText: this.#userText,
      toolOutputs: this.#toolOutputs,
      replyIndex: this.#replies,
    };
    this.#userText = null;
    this.#toolOutputs = [];
    const script = this.#options.replies;
    const index = this.#replies++;
    if (typeof script === 'function') return script(input);
    if (Array.isArray(script)) return script[index] ?? { text: 'No more replies.' };
    if (input.toolOutputs.length > 0) {
      return { text: `The result is ${input.toolOutputs.map((o) => o.output).join(' and ')}.` };
    }
    return { text: input.userText ? `You said: ${input.userText}` : 'Hello.' };
  }

  #startReply(): void {
    if (this.#active && !this.#active.done) return; // conversation_already_has_active_response
    const reply = this.#nextReply();
    const run: FakeReplyRun = {
      id: this.#newId('resp'),
      timers: new Set(),
      done: false,
      itemId: this.#newId('item'),
      transcript: '',
    };
    this.#active = run;
    this.handleResponseCreated(run.id);
    for (const call of reply.toolCalls ?? []) {
      this.handleFunctionCall(run.id, {
        callId: this.#newId('call'),
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      });
    }
    const words = reply.text ? (reply.text.match(/\S+\s*/g) ?? []) : [];
    const delayMs = this.#options.replyDelayMs ?? 0;
    if (delayMs <= 0) {
      this.#streamReply(run, words);
      return;
    }
    const timer = setTimeout(() => {
      run.timers.delete(timer);
      if (!run.done && this.#connected) this.#streamReply(run, words);
    }, delayMs);
    run.timers.add(timer);
  }

  /** The reply's transcript and audio (one tone per word), then `response.done`. */
  #streamReply(run: FakeReplyRun, words: string[]): void {
    if (words.length === 0) {
      this.#finishReply(run, 'completed');
      return;
    }
    const rate = this.outputSampleRate;
    const chunkMs = this.#options.chunkMs ?? 20;
    const chunkSamples = Math.max(1, Math.round((rate * chunkMs) / 1000));
    const wordSamples = Math.round((rate * (this.#options.msPerWord ?? 120)) / 1000);
    const audio = tone(words.length * wordSamples, rate);
    const chunks = Math.ceil(audio.length / chunkSamples);
    let nextWord = 0;
    const sendChunk = (k: number) => {
      while (nextWord < words.length && nextWord * wordSamples <= k * chunkSamples) {
        const delta = words[nextWord++]!;
        run.transcript += delta;
        this.handleTranscriptDelta(run.id, run.itemId, delta);
      }
      this.handleAudioDelta(run.id, run.itemId, audio.subarray(k * chunkSamples, (k + 1) * chunkSamples));
    };
    const finish = () => {
      while (nextWord < words.length) {
        const delta = words[nextWord++]!;
        run.transcript += delta;
        this.handleTranscriptDelta(run.id, run.itemId, delta);
      }
      this.handleTranscriptDone(run.id, run.itemId, run.transcript);
      this.#finishReply(run, 'completed');
    };
    const speed = this.#options.speed ?? Number.POSITIVE_INFINITY;
    if (!Number.isFinite(speed)) {
      for (let k = 0; k < chunks; k++) sendChunk(k);
      finish();
      return;
    }
    const startedAt = performance.now();
    let k = 0;
    const pump = () => {
      if (run.done || !this.#connected) return;
      const due = ((performance.now() - startedAt) * speed) / chunkMs;
      while (k < chunks && k <= due) sendChunk(k++);
      if (k >= chunks) {
        finish();
        return;
      }
      const timer = setTimeout(() => {
        run.timers.delete(timer);
        pump();
      }, chunkMs / speed);
      run.timers.add(timer);
    };
    pump();
  }

  #finishReply(run: FakeReplyRun, status: 'completed' | 'cancelled'): void {
    if (run.done) return;
    run.done = true;
    for (const timer of run.timers) clearTimeout(timer);
    run.timers.clear();
    if (this.#active === run) this.#active = undefined;
    const outputTokens = Math.ceil(run.transcript.length / 4);
    this.handleResponseDone(run.id, {
      status,
      usage: { promptTokens: 10, completionTokens: outputTokens, totalTokens: 10 + outputTokens },
    });
  }

  #cancelReply(): void {
    const run = this.#active;
    if (run && !run.done) this.#finishReply(run, 'cancelled');
  }

  #stopReply(): void {
    const run = this.#active;
    if (!run) return;
    run.done = true;
    for (const timer of run.timers) clearTimeout(timer);
    run.timers.clear();
    this.#active = undefined;
  }
}

/** A 440 Hz tone at -10 dBFS, the fake's "voice". */
function tone(samples: number, sampleRate: number): Int16Array {
  const out = new Int16Array(samples);
  const amplitude = 0.3 * 32767;
  for (let i = 0; i < samples; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return out;
}
