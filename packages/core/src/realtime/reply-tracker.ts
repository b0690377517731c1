import type { AudioOutput } from '../audio-io/audio-output.js';
import { executeToolCall, type FunctionTool } from '../chat/index.js';
import type { Usage } from '../metrics/types.js';
import type { RealtimeConversationLog, RealtimeMessageEntry } from './conversation.js';
import type { RealtimeEvents } from './events.js';
import { allocatePlayedMs, truncateTranscript, truncationPointMs } from './interruption.js';
import type { RealtimeOutputConverter } from './output-audio.js';

/** A complete function call from the model. */
export interface RealtimeFunctionCall {
  callId: string;
  name: string;
  /** Raw JSON text. */
  arguments: string;
}

/** The outcome of running a tool, sent back to the model. */
export interface RealtimeFunctionCallResult {
  callId: string;
  name: string;
  output: string;
  isError: boolean;
}

/** Options of one requested reply (`response.create`). */
export interface RealtimeResponseRequest {
  /** Instructions for this reply only (the session's stay as they are). */
  instructions?: string;
}

export interface RealtimeResponseDone {
  /** `completed`, `cancelled`, `failed`, `incomplete`, or what the server said. */
  status: string;
  usage?: Usage | null;
}

/** What the reply tracker needs from the model that owns it. */
export interface ReplyTrackerHost {
  readonly provider: string;
  readonly model: string;
  readonly outputSampleRate: number;
  readonly log: RealtimeConversationLog;
  /** Aborted when the model closes (running tools see it). */
  readonly signal: AbortSignal;
  output(): AudioOutput | undefined;
  outputConverter(): RealtimeOutputConverter;
  tools(): readonly FunctionTool[];
  isClosed(): boolean;
  emit<E extends keyof RealtimeEvents & string>(event: E, ...args: Parameters<RealtimeEvents[E]>): boolean;
  /** Runs now if connected, else after the next (re)connect. */
  whenReady(run: () => void): void;
  /** Runs only if connected now (a cancel means nothing to a new connection). */
  ifReady(run: () => void): void;
  /** Sends `response.create` now (the model has checked it is connected). */
  sendCreateResponse(request: RealtimeResponseRequest): void;
  sendCancelResponse(): void;
  sendFunctionCallOutput(result: RealtimeFunctionCallResult): void;
  truncateItem(itemId: string, audioEndMs: number): void;
}

interface ResponseState {
  id: string;
  /** End of the user's turn (or the request) this reply answers; the ttfb anchor. */
  anchorMs: number | null;
  createdAtMs: number;
  firstAudioAtMs: number | null;
  audioMs: number;
  done: boolean;
  doneAtMs: number | null;
  status: string;
  usage: Usage | null;
  interrupted: boolean;
  /** The connection dropped before the reply was done: cut at what was played, then asked for again. */
  lost: boolean;
  /** What the request that made this reply asked for (to ask again after a drop). */
  request: RealtimeResponseRequest | undefined;
  /** `response.created` was seen (it answers the oldest request). */
  announced: boolean;
  /** The reply's audio finished playing or was cut (or it had none). */
  playoutEnded: boolean;
  metricsEmitted: boolean;
  /** Assistant messages of this reply (audio transcripts). */
  messages: RealtimeMessageEntry[];
  /** Text of a text-only reply. */
  text: Map<string, string>;
  toolCalls: number;
  pendingTools: number;
  followUpSent: boolean;
}

interface SpeechPeriod {
  /** Replies whose audio is in the output, in push order. */
  responses: ResponseState[];
  startedAtMs: number;
  generation: number;
}

const FINISHED_IDS_KEPT = 256;

/** What a dropped connection left unanswered. */
export interface RealtimeLostReplies {
  /** A reply was in progress (or requested and not started): it should be asked for again. */
  resume: boolean;
  /** The request to repeat. */
  request: RealtimeResponseRequest | undefined;
}

/**
 * The state of the agent's replies: which reply is speaking, what reached the output, barge-in
 * (stop the output, cancel, cut the history at what was heard), the tool loop (one follow-up reply
 * once every call of a reply has answered), and one metrics record per reply. Provider-agnostic;
 * `RealtimeModel` feeds it the server's events.
 */
export class RealtimeReplyTracker {
  readonly #host: ReplyTrackerHost;
  readonly #responses = new Map<string, ResponseState>();
  readonly #finishedIds: string[] = [];
  #syntheticIds = 0;
  #turnEndAtMs: number | null = null;
  #speech: SpeechPeriod | undefined;
  #speechGeneration = 0;
  readonly #seenCallIds = new Set<string>();
  /**
   * Replies requested on the connection (`response.create` sent) and not yet created, oldest
   * first. A request interrupted before the server announced its reply is marked cancelled: that
   * reply is dropped on arrival (the cancel is on its way).
   */
  #requests: Array<{ request: RealtimeResponseRequest; cancelled: boolean }> = [];
  /** Server VAD ended a user turn: the server will create a reply on its own. */
  #serverReplyDue = false;

  constructor(host: ReplyTrackerHost) {
    this.#host = host;
  }

  /**
   * The user's turn ended (speech stopped, commit, typed text, follow-up request) at `atMs`
   * (`performance.now()`, default now): the ttfb anchor of the next reply.
   */
  markTurnEnd(atMs: number = now()): void {
    this.#turnEndAtMs = atMs;
  }

  /** Whether agent audio is playing or a reply is being generated. */
  get busy(): boolean {
    return this.#speech !== undefined || [...this.#responses.values()].some((r) => !r.done);
  }

  /** Whether the server owes an event: a reply is being generated, or one was requested. */
  get awaitingServer(): boolean {
    return (
      this.#requests.some((r) => !r.cancelled) ||
      [...this.#responses.values()].some((r) => !r.done && !r.interrupted)
    );
  }

  /** A `response.create` was sent. */
  requested(request: RealtimeResponseRequest): void {
    this.#requests.push({ request, cancelled: false });
  }

  /** The server refused a request (e.g. a reply was already active): it will not be created. */
  requestFailed(): void {
    this.#requests.shift();
  }

  /** Server VAD ended a user turn: a reply will follow without a request. */
  serverReplyDue(): void {
    this.#serverReplyDue = true;
  }

  /**
   * The connection dropped. A reply in progress is cut where its audio stops: what arrived keeps
   * playing, then its history entry keeps what was played, marked interrupted, and
   * `agent_speech_ended` / metrics say interrupted (no final transcription: the reply asked for
   * again replaces it). Says whether a reply should be asked for again once reconnected. A reply
   * whose tool calls are running is not: its follow-up is.
   */
  connectionLost(): RealtimeLostReplies {
    const open = this.#requests.find((r) => !r.cancelled);
    let resume = open !== undefined || this.#serverReplyDue;
    let request = open?.request;
    this.#requests = [];
    this.#serverReplyDue = false;
    for (const response of [...this.#responses.values()]) {
      if (response.done) continue;
      response.lost = true;
      if (!response.interrupted && response.toolCalls === 0) {
        resume = true;
        request ??= response.request;
      }
      this.#markDone(response, { status: 'incomplete' });
    }
    return { resume, request };
  }

  /** The model closes: stop the output now. */
  close(): void {
    if (!this.#speech) return;
    const output = this.#host.output();
    const played = output?.playedMs ?? 0;
    output?.interrupt();
    this.#endSpeech(true, played);
  }

  responseCreated(responseId: string): void {
    // A reply that was cut but never confirmed done is finished now.
    for (const other of this.#responses.values()) {
      if (other.id !== responseId && other.interrupted && !other.done) {
        this.#markDone(other, { status: 'cancelled' });
      }
    }
    const anchor = this.#turnEndAtMs;
    const response = this.#response(responseId);
    if (!response || response.announced) return;
    response.announced = true;
    this.#serverReplyDue = false;
    const request = this.#requests.shift();
    if (request?.cancelled) {
      // Requested, then interrupted before the server announced it: the cancel is on its way.
      response.interrupted = true;
      this.#turnEndAtMs = anchor;
      return;
    }
    response.request = request?.request;
  }

  /** Agent audio (mono PCM16 at `outputSampleRate`), in arrival order. */
  audioDelta(responseId: string | undefined, itemId: string | undefined, samples: Int16Array): void {
    if (samples.length === 0) return;
    const response = this.#response(responseId);
    if (!response || response.interrupted || response.lost) return;
    if (itemId !== undefined) this.#assistantMessage(response, itemId);
    const at = now();
    response.firstAudioAtMs ??= at;
    response.audioMs += (samples.length * 1000) / this.#host.outputSampleRate;
    // A new reply supersedes what is left of one cut by a dropped connection.
    if (this.#speech?.responses.some((r) => r.lost) && !this.#speech.responses.includes(response)) {
      this.#stopSpeech(this.#speech);
    }
    let speech = this.#speech;
    if (!speech) {
      speech = { responses: [response], startedAtMs: at, generation: ++this.#speechGeneration };
      this.#speech = speech;
      this.#host.emit('agent_speech_started', { responseId: response.id });
    } else if (!speech.responses.includes(response)) {
      speech.responses.push(response);
    }
    const frame = this.#host.outputConverter().convert(samples);
    if (frame && this.#speech === speech) this.#host.output()?.push(frame);
  }

  transcriptDelta(responseId: string | undefined, itemId: string | undefined, delta: string): void {
    const response = this.#response(responseId);
    if (!response || response.interrupted || response.lost) return;
    const entry = this.#assistantMessage(response, itemId);
    entry.text += delta;
    this.#host.emit('transcription', {
      role: 'assistant',
      text: entry.text,
      final: false,
      ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
    });
  }

  transcriptDone(responseId: string | undefined, itemId: string | undefined, text?: string): void {
    const response = this.#response(responseId);
    if (!response || response.interrupted || response.lost) return;
    const entry = this.#assistantMessage(response, itemId);
    if (entry.final) return;
    if (text !== undefined) entry.text = text;
    this.#finalizeMessage(entry);
  }

  /** Text of a text-only reply. */
  textDelta(responseId: string | undefined, itemId: string | undefined, delta: string): void {
    const response = this.#response(responseId);
    if (!response || response.interrupted || response.lost) return;
    const key = itemId ?? '';
    response.text.set(key, (response.text.get(key) ?? '') + delta);
  }

  textDone(responseId: string | undefined, itemId: string | undefined, text?: string): void {
    const response = this.#response(responseId);
    if (!response || response.interrupted || response.lost) return;
    const key = itemId ?? '';
    const full = text ?? response.text.get(key) ?? '';
    response.text.delete(key);
    if (full === '') return;
    const entry = this.#host.log.message('assistant', itemId);
    entry.text = full;
    entry.final = true;
    this.#host.emit('text_output', full);
  }

  /**
   * A complete function call. Runs once per `callId` (servers may announce a call several times).
   * `responseId` defaults to the reply in progress.
   */
  functionCall(responseId: string | undefined, call: RealtimeFunctionCall): void {
    if (this.#seenCallIds.has(call.callId)) return;
    this.#seenCallIds.add(call.callId);
    const response = responseId !== undefined ? this.#response(responseId) : this.#currentResponse();
    this.#host.log.addFunctionCall(call.callId, call.name, call.arguments);
    if (response) {
      response.toolCalls++;
      response.pendingTools++;
    }
    const tools = this.#host.tools();
    void executeToolCall(
      tools,
      { name: call.name, arguments: call.arguments, callId: call.callId },
      this.#host.signal,
    )
      .then((result) => this.#onToolResult(response, call, result))
      .catch((error: unknown) =>
        this.#onToolResult(response, call, {
          callId: call.callId,
          name: call.name,
          output: JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
          isError: true,
        }),
      );
  }

  responseDone(responseId: string | undefined, info: RealtimeResponseDone): void {
    const response = this.#response(responseId);
    if (!response || response.done) return;
    this.#markDone(response, info);
  }

  /** The state of reply `id` (created on first sight); undefined for a reply already finished. */
  #response(id: string | undefined): ResponseState | undefined {
    if (id === undefined) {
      const current = this.#currentResponse();
      if (current) return current;
      id = `local_response_${++this.#syntheticIds}`;
    }
    const known = this.#responses.get(id);
    if (known) return known;
    if (this.#finishedIds.includes(id)) return undefined;
    const response: ResponseState = {
      id,
      anchorMs: this.#turnEndAtMs,
      createdAtMs: now(),
      firstAudioAtMs: null,
      audioMs: 0,
      done: false,
      doneAtMs: null,
      status: 'in_progress',
      usage: null,
      interrupted: false,
      lost: false,
      request: undefined,
      announced: false,
      playoutEnded: false,
      metricsEmitted: false,
      messages: [],
      text: new Map(),
      toolCalls: 0,
      pendingTools: 0,
      followUpSent: false,
    };
    this.#turnEndAtMs = null;
    this.#responses.set(id, response);
    return response;
  }

  /** The latest reply not yet done. */
  #currentResponse(): ResponseState | undefined {
    let current: ResponseState | undefined;
    for (const response of this.#responses.values()) if (!response.done) current = response;
    return current;
  }

  #assistantMessage(response: ResponseState, itemId: string | undefined): RealtimeMessageEntry {
    if (itemId === undefined) {
      const last = response.messages.at(-1);
      if (last) return last;
    }
    const entry = this.#host.log.message('assistant', itemId);
    if (!response.messages.includes(entry)) response.messages.push(entry);
    return entry;
  }

  #finalizeMessage(entry: RealtimeMessageEntry): void {
    entry.final = true;
    this.#host.emit('transcription', {
      role: 'assistant',
      text: entry.text,
      final: true,
      ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
      interrupted: false,
    });
  }

  #markDone(response: ResponseState, info: RealtimeResponseDone): void {
    response.done = true;
    response.doneAtMs = now();
    response.status = info.status;
    response.usage = info.usage ?? null;
    if (response.lost) {
      response.text.clear();
      const speech = this.#speech;
      if (speech?.responses.includes(response)) {
        // What arrived plays out; the speech then ends as cut (see #endSpeech).
        if (speech.responses.every((r) => r.done)) this.#flushSpeech(speech);
      } else {
        this.#cutLost(response, 0);
        response.playoutEnded = true;
      }
      this.#maybeFollowUp(response);
      this.#maybeFinish(response);
      return;
    }
    // A reply the server cancelled (e.g. on user speech) is finalised when its playout ends or is cut.
    if (!response.interrupted && info.status !== 'cancelled') {
      for (const entry of response.messages) if (!entry.final) this.#finalizeMessage(entry);
      for (const [itemId, text] of response.text) {
        if (text !== '') this.textDone(response.id, itemId === '' ? undefined : itemId, text);
      }
    }
    const speech = this.#speech;
    if (speech?.responses.includes(response) && !response.interrupted) {
      if (speech.responses.every((r) => r.done)) this.#flushSpeech(speech);
    } else {
      response.playoutEnded = true;
    }
    this.#maybeFollowUp(response);
    this.#maybeFinish(response);
  }

  /** All replies in the output are done: let the output play out, then end the speech period. */
  #flushSpeech(speech: SpeechPeriod): void {
    const tail = this.#host.outputConverter().flush();
    const output = this.#host.output();
    if (tail) output?.push(tail);
    if (!output) {
      this.#endSpeech(
        false,
        speech.responses.reduce((sum, r) => sum + r.audioMs, 0),
      );
      return;
    }
    output.flush();
    void output.waitForPlayout().then((result) => {
      if (this.#speech !== speech || speech.generation !== this.#speechGeneration) return;
      if (!speech.responses.every((r) => r.done)) return; // more audio joined the segment
      this.#endSpeech(result.interrupted, result.playedMs);
    });
  }

  #endSpeech(interrupted: boolean, playedMs: number): void {
    const speech = this.#speech;
    if (!speech) return;
    this.#speech = undefined;
    const lost = speech.responses.some((r) => r.lost);
    if (lost) {
      // Cut by a dropped connection: each reply keeps the share of the played audio it had.
      const shares = allocatePlayedMs(
        playedMs,
        speech.responses.map((r) => r.audioMs),
      );
      speech.responses.forEach((response, i) => {
        const heard = shares[i] ?? 0;
        if (response.lost) this.#cutLost(response, heard);
        else if (response.interrupted) return;
        else if (interrupted || heard < response.audioMs - 0.5) this.#cut(response, heard);
        else for (const entry of response.messages) if (!entry.final) this.#finalizeMessage(entry);
      });
    } else if (!interrupted) {
      // Replies the server stopped early (cancelled) were not finalised when they ended.
      for (const response of speech.responses) {
        for (const entry of response.messages) if (!entry.final) this.#finalizeMessage(entry);
      }
    }
    this.#host.emit('agent_speech_ended', {
      responseId: speech.responses.at(-1)?.id ?? null,
      interrupted: interrupted || lost,
      playedMs,
      ...(interrupted
        ? { reason: 'interrupted' as const }
        : lost
          ? { reason: 'connection_lost' as const }
          : {}),
    });
    for (const response of speech.responses) {
      response.playoutEnded = true;
      this.#maybeFinish(response);
    }
  }

  /** Stops the output now (a reply superseding what was left of a lost one). */
  #stopSpeech(speech: SpeechPeriod): void {
    const output = this.#host.output();
    const elapsedMs = now() - speech.startedAtMs;
    const playedMs = output ? output.playedMs : elapsedMs;
    output?.interrupt();
    this.#host.outputConverter().reset();
    const audioMs = speech.responses.reduce((sum, r) => sum + r.audioMs, 0);
    this.#endSpeech(false, truncationPointMs({ elapsedMs, playedMs, audioMs }));
  }

  /** Barge-in: returns whether there was anything to interrupt. */
  interrupt(): boolean {
    const speech = this.#speech;
    const generating = [...this.#responses.values()].filter((r) => !r.done && !r.interrupted);
    // Requested but not announced yet: cancelled too, and dropped when they are announced.
    let requested = 0;
    for (const entry of this.#requests) {
      if (!entry.cancelled) requested++;
      entry.cancelled = true;
    }
    if (!speech && generating.length === 0 && requested === 0) return false;
    let playedTotal = 0;
    if (speech) {
      const output = this.#host.output();
      const audio = speech.responses.map((r) => r.audioMs);
      const audioTotal = audio.reduce((a, b) => a + b, 0);
      const elapsedMs = now() - speech.startedAtMs;
      // Read what was played before the output drops its queue.
      const playedMs = output ? output.playedMs : elapsedMs;
      output?.interrupt();
      this.#host.outputConverter().reset();
      playedTotal = truncationPointMs({ elapsedMs, playedMs, audioMs: audioTotal });
      const shares = allocatePlayedMs(playedTotal, audio);
      speech.responses.forEach((response, i) => {
        const heard = shares[i] ?? 0;
        if (heard < response.audioMs - 0.5 || !response.done) this.#cut(response, heard);
      });
    }
    for (const response of generating) if (!response.interrupted) this.#cut(response, 0);
    if (generating.length > 0 || requested > 0) this.#host.ifReady(() => this.#host.sendCancelResponse());
    if (speech) this.#endSpeech(true, playedTotal);
    return true;
  }

  /** Marks a reply interrupted and cuts its transcript at `heardMs` of its audio. */
  #cut(response: ResponseState, heardMs: number): void {
    if (response.lost) {
      // Already over (the connection dropped); its playout is what the user just cut. As for any
      // reply the user cut, no follow-up for its tool calls.
      this.#cutLost(response, heardMs);
      response.interrupted = true;
      response.followUpSent = true;
      return;
    }
    response.interrupted = true;
    response.text.clear();
    for (const entry of response.messages) {
      entry.text = truncateTranscript(entry.text, heardMs, response.audioMs);
      entry.interrupted = true;
      entry.final = true;
      if (entry.itemId !== undefined) this.#host.truncateItem(entry.itemId, Math.round(heardMs));
      this.#host.emit('transcription', {
        role: 'assistant',
        text: entry.text,
        final: true,
        ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
        interrupted: true,
      });
    }
    if (response.done) {
      response.playoutEnded = true;
      this.#maybeFinish(response);
    }
  }

  /**
   * A reply cut by a dropped connection: the history keeps the `heardMs` of it that was played,
   * marked interrupted. No final transcription: the reply asked for again takes its place.
   */
  #cutLost(response: ResponseState, heardMs: number): void {
    for (const entry of response.messages) {
      if (entry.final && entry.interrupted) continue;
      entry.text = truncateTranscript(entry.text, heardMs, response.audioMs);
      entry.interrupted = true;
      entry.final = true;
    }
  }

  #onToolResult(
    response: ResponseState | undefined,
    call: RealtimeFunctionCall,
    result: RealtimeFunctionCallResult,
  ): void {
    this.#host.log.addFunctionCallOutput(result.callId, result.name, result.output, result.isError);
    // After a reconnect the replayed history holds the call, so the new session accepts its output.
    this.#host.whenReady(() => this.#host.sendFunctionCallOutput(result));
    this.#host.emit('function_executed', {
      name: result.name,
      callId: result.callId,
      arguments: call.arguments,
      output: result.output,
      isError: result.isError,
    });
    if (response) {
      response.pendingTools--;
      this.#maybeFollowUp(response);
      this.#maybeFinish(response);
    } else {
      this.#turnEndAtMs = now();
      this.#host.whenReady(() => this.#host.sendCreateResponse({}));
    }
  }

  /** One follow-up reply after all tool outputs of a reply are sent and the reply is done. */
  #maybeFollowUp(response: ResponseState): void {
    if (
      response.toolCalls === 0 ||
      response.pendingTools > 0 ||
      !response.done ||
      response.followUpSent ||
      (response.interrupted && !response.lost) ||
      this.#host.isClosed()
    ) {
      return;
    }
    response.followUpSent = true;
    this.#turnEndAtMs = now();
    this.#host.whenReady(() => this.#host.sendCreateResponse({}));
  }

  #maybeFinish(response: ResponseState): void {
    if (response.metricsEmitted || !response.done || !response.playoutEnded || response.pendingTools > 0)
      return;
    response.metricsEmitted = true;
    this.#responses.delete(response.id);
    this.#finishedIds.push(response.id);
    if (this.#finishedIds.length > FINISHED_IDS_KEPT) this.#finishedIds.shift();
    this.#host.emit('metrics', {
      type: 'realtime',
      provider: this.#host.provider,
      model: this.#host.model,
      responseId: response.id,
      ttfbMs:
        response.firstAudioAtMs !== null && response.anchorMs !== null
          ? Math.max(0, response.firstAudioAtMs - response.anchorMs)
          : null,
      durationMs: Math.max(0, (response.doneAtMs ?? now()) - response.createdAtMs),
      interrupted: response.interrupted || response.lost,
      ...(response.interrupted
        ? { interruptionReason: 'interrupted' as const }
        : response.lost
          ? { interruptionReason: 'connection_lost' as const }
          : {}),
      usage: response.usage,
    });
  }
}

function now(): number {
  return performance.now();
}
