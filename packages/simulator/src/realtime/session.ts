import { InputAudioDecoder, decodeBase64Audio } from './audio-codec.js';
import {
  CLIENT_EVENT_TYPES,
  type ClientEvent,
  ClientEventError,
  ERROR_CODES,
  type ErrorBody,
  type RealtimeItem,
  type ServerEvent,
  type SessionConfig,
  defaultSessionConfig,
} from './protocol.js';
import { type ToolResult, planReply } from './replies.js';
import { ResponseRun } from './response.js';
import { ServerVad, type ServerVadListener } from './server-vad.js';
import { applySessionUpdate, formatRate } from './session-config.js';

/** A streaming recogniser of the simulator's voice (see `src/voice`). */
export interface SpeechRecognizer {
  push(samples: Int16Array): void;
  flush(): void;
  readonly text: string;
}

/** The simulator's voice, injectable so the protocol logic is testable on its own. */
export interface VoiceEngine {
  synthesize(text: string, sampleRate: number): Int16Array;
  createRecognizer(sampleRate: number): SpeechRecognizer;
  /** Transcript of audio that has energy but no decodable voice. */
  readonly unrecognizedMarker: string;
}

export interface RealtimeSessionOptions {
  /** Sends one server event (the session stamps `event_id`). */
  send(event: Record<string, unknown>): void;
  voice: VoiceEngine;
  /** Model id from the `model` query parameter. */
  model: string;
  /** Audio pacing: 1 = real time (default), 10 = ten times, Infinity = as fast as possible. */
  speed?: number;
  /** Audio sent ahead of real time at the start of each response (default 300 ms). */
  leadMs?: number;
  /** Decoded bytes of each `input_audio_buffer.append` (before G.711 decoding). */
  onAudioBytes?(bytes: number): void;
  /** Prefix of ids (conversation, items, responses), unique per connection. */
  idPrefix?: string;
}

export const DEFAULT_LEAD_MS = 300;

/** A chunk of manual-mode audio counts as speech when its RMS reaches this level (about -50 dBFS). */
const MANUAL_ENERGY_SQUARED = (10 ** (-50 / 20) * 32768) ** 2;

interface Segment {
  itemId: string | undefined;
  recognizer: SpeechRecognizer;
  samples: number;
  hasEnergy: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * The protocol logic of one realtime connection: handshake, session config, the input audio path
 * (decoder → server VAD → recogniser), conversation items and responses. Transport-free: it gets
 * client events and hands server events to `send`.
 */
export class RealtimeSession {
  private config: SessionConfig = defaultSessionConfig();
  private updates: unknown[] = [];
  private counter = 0;
  private readonly prefix: string;
  private readonly conversation = { id: '', lastItemId: null as string | null };
  private active: ResponseRun | undefined;
  private closed = false;
  // input audio pipeline
  private decoder!: InputAudioDecoder;
  private inputRate = 0;
  private vad: ServerVad | undefined;
  private pipelineOffsetMs = 0;
  private pipelineSamples = 0;
  private segment: Segment | undefined;
  // what the next response answers
  private pendingUserText: string | null = null;
  private pendingUnrecognized = false;
  private pendingToolResults: ToolResult[] = [];
  private readonly calls = new Map<string, { name: string; arguments: string }>();

  constructor(private readonly options: RealtimeSessionOptions) {
    this.prefix = options.idPrefix ?? 'sim';
    this.conversation.id = `conv_${this.prefix}`;
    this.buildPipeline();
  }

  /** The effective session (defaults merged with every accepted `session.update`). */
  get session(): SessionConfig {
    return this.config;
  }

  /** The `session` objects of every `session.update` received, valid or not, in order. */
  get sessionUpdates(): readonly unknown[] {
    return this.updates;
  }

  get model(): string {
    return this.options.model;
  }

  /** The response in progress, if any. */
  get activeResponse(): ResponseRun | undefined {
    return this.active;
  }

  /** Sends `conversation.created`; call once the socket is open. */
  start(): void {
    this.send({
      type: 'conversation.created',
      conversation: { id: this.conversation.id, object: 'realtime.conversation' },
    });
  }

  /** Sends xAI's keep-alive `ping {timestamp}` (ms since the epoch). */
  ping(): void {
    this.send({ type: 'ping', timestamp: Date.now() });
  }

  /** Stops every timer; nothing is sent afterwards. */
  close(): void {
    this.closed = true;
    this.active?.dispose();
    this.active = undefined;
    this.segment = undefined;
  }

  /** Handles one text frame from the client. */
  handleText(text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.sendError({
        code: ERROR_CODES.invalidJson,
        message: 'The client event could not be parsed as JSON.',
        param: null,
        event_id: null,
      });
      return;
    }
    this.handleEvent(event);
  }

  /** A binary frame: the realtime protocol carries audio as base64 in JSON only. */
  handleBinary(): void {
    if (this.closed) return;
    this.sendError({
      code: ERROR_CODES.invalidValue,
      message: 'Binary frames are not supported: send audio as input_audio_buffer.append with base64 audio.',
      param: null,
      event_id: null,
    });
  }

  /** Handles one parsed client event. */
  handleEvent(event: unknown): void {
    if (this.closed) return;
    const eventId = isObject(event) && typeof event.event_id === 'string' ? event.event_id : null;
    try {
      if (!isObject(event))
        throw new ClientEventError(ERROR_CODES.invalidType, 'A client event must be a JSON object.', null);
      if (event.type === undefined) {
        throw new ClientEventError(ERROR_CODES.missing, "Missing required parameter: 'type'.", 'type');
      }
      this.dispatch(event as ClientEvent);
    } catch (error) {
      if (error instanceof ClientEventError) {
        this.sendError({ code: error.code, message: error.message, param: error.param, event_id: eventId });
        return;
      }
      // A simulator bug must not take the server (and every other session) down.
      this.send({
        type: 'error',
        error: {
          type: 'server_error',
          code: 'internal_error',
          message: `The simulator failed to handle the event: ${error instanceof Error ? error.message : String(error)}`,
          param: null,
          event_id: eventId,
        },
      });
    }
  }

  private dispatch(event: ClientEvent): void {
    switch (event.type) {
      case 'session.update':
        this.onSessionUpdate(event);
        return;
      case 'input_audio_buffer.append':
        this.onAppend(event);
        return;
      case 'input_audio_buffer.commit':
        this.onCommit();
        return;
      case 'input_audio_buffer.clear':
        this.onClear();
        return;
      case 'conversation.item.create':
        this.onItemCreate(event);
        return;
      case 'response.create':
        this.onResponseCreate(event);
        return;
      case 'response.cancel':
        this.onResponseCancel();
        return;
      default:
        throw new ClientEventError(
          ERROR_CODES.invalidValue,
          `Unknown client event type '${String(event.type)}'. Supported types: ${CLIENT_EVENT_TYPES.join(', ')}.`,
          'type',
        );
    }
  }

  // ---- sending ----------------------------------------------------------------------------------

  private send(event: ServerEvent): void {
    if (this.closed) return;
    this.options.send({ event_id: this.newId('event'), ...event });
  }

  private sendError(error: Omit<ErrorBody, 'type'>): void {
    this.send({ type: 'error', error: { type: 'invalid_request_error', ...error } });
  }

  private newId(kind: string): string {
    this.counter += 1;
    return `${kind}_${this.prefix}_${this.counter}`;
  }

  private addItem(item: RealtimeItem): void {
    this.send({ type: 'conversation.item.added', previous_item_id: this.conversation.lastItemId, item });
    this.conversation.lastItemId = item.id;
  }

  // ---- session ----------------------------------------------------------------------------------

  private onSessionUpdate(event: ClientEvent): void {
    this.updates.push(event.session);
    const previous = this.config;
    this.config = applySessionUpdate(previous, event.session);
    const inputChanged =
      JSON.stringify(previous.audio.input) !== JSON.stringify(this.config.audio.input) ||
      JSON.stringify(previous.turn_detection) !== JSON.stringify(this.config.turn_detection);
    if (inputChanged) this.buildPipeline();
    this.send({ type: 'session.updated', session: this.config });
  }

  /**
   * (Re)builds the input path for the current format and turn detection. Audio time keeps counting
   * across rebuilds; a speech segment in progress is dropped.
   */
  private buildPipeline(): void {
    if (this.inputRate > 0) this.pipelineOffsetMs += (this.pipelineSamples * 1000) / this.inputRate;
    const format = this.config.audio.input.format;
    this.decoder = new InputAudioDecoder(format);
    this.inputRate = formatRate(format);
    this.pipelineSamples = 0;
    this.segment = undefined;
    const turnDetection = this.config.turn_detection;
    this.vad = turnDetection ? new ServerVad(this.inputRate, turnDetection, this.vadListener()) : undefined;
  }

  private audioMs(sample: number): number {
    return Math.round(this.pipelineOffsetMs + (sample * 1000) / this.inputRate);
  }

  // ---- input audio ------------------------------------------------------------------------------

  private onAppend(event: ClientEvent): void {
    if (event.audio === undefined) {
      throw new ClientEventError(ERROR_CODES.missing, "Missing required parameter: 'audio'.", 'audio');
    }
    const bytes = decodeBase64Audio(event.audio);
    this.options.onAudioBytes?.(bytes.length);
    const samples = this.decoder.decode(bytes);
    this.pipelineSamples += samples.length;
    if (this.vad) {
      this.vad.push(samples);
      return;
    }
    this.segment ??= {
      itemId: undefined,
      recognizer: this.options.voice.createRecognizer(this.inputRate),
      samples: 0,
      hasEnergy: false,
    };
    this.segment.recognizer.push(samples);
    this.segment.samples += samples.length;
    if (!this.segment.hasEnergy && samples.length > 0) {
      let sum = 0;
      for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
      this.segment.hasEnergy = sum / samples.length >= MANUAL_ENERGY_SQUARED;
    }
  }

  private vadListener(): ServerVadListener {
    return {
      speechStarted: (startSample, prefix) => {
        const itemId = this.newId('item');
        this.segment = {
          itemId,
          recognizer: this.options.voice.createRecognizer(this.inputRate),
          samples: 0,
          hasEnergy: true,
        };
        if (prefix.length > 0) {
          this.segment.recognizer.push(prefix);
          this.segment.samples += prefix.length;
        }
        this.send({
          type: 'input_audio_buffer.speech_started',
          item_id: itemId,
          audio_start_ms: this.audioMs(startSample),
        });
        // Barge-in: the user speaking over a response cancels it, as xAI does.
        this.active?.cancel('turn_detected');
      },
      speechAudio: (samples) => {
        if (!this.segment) return;
        this.segment.recognizer.push(samples);
        this.segment.samples += samples.length;
      },
      speechStopped: (endSample) => {
        const segment = this.segment;
        if (!segment?.itemId) return;
        this.send({
          type: 'input_audio_buffer.speech_stopped',
          item_id: segment.itemId,
          audio_end_ms: this.audioMs(endSample),
        });
        this.commitSegment(segment);
        if (!this.active) this.createResponse(undefined);
      },
    };
  }

  /** `input_audio_buffer.committed`, the user item, then its transcription. */
  private commitSegment(segment: Segment): void {
    this.segment = undefined;
    const itemId = segment.itemId ?? this.newId('item');
    segment.recognizer.flush();
    const text = segment.recognizer.text.trim();
    const unrecognized = text.length === 0 && segment.hasEnergy;
    const transcript = unrecognized ? this.options.voice.unrecognizedMarker : text;
    this.send({
      type: 'input_audio_buffer.committed',
      previous_item_id: this.conversation.lastItemId,
      item_id: itemId,
    });
    this.addItem({
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    });
    this.send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: itemId,
      content_index: 0,
      transcript,
    });
    if (transcript.length > 0) {
      this.pendingUserText = transcript;
      this.pendingUnrecognized = unrecognized;
    }
  }

  private onCommit(): void {
    if (this.vad) {
      // Tolerated while server VAD is on: a segment in progress is committed now, without a response.
      const segment = this.segment;
      this.vad.interrupt();
      if (segment) this.commitSegment(segment);
      return;
    }
    const segment = this.segment;
    if (!segment || segment.samples === 0) {
      throw new ClientEventError(
        ERROR_CODES.commitEmpty,
        'Error committing input audio buffer: the buffer is empty.',
        null,
      );
    }
    this.commitSegment(segment);
  }

  private onClear(): void {
    this.vad?.interrupt();
    this.segment = undefined;
    this.send({ type: 'input_audio_buffer.cleared' });
  }

  // ---- conversation items -----------------------------------------------------------------------

  private onItemCreate(event: ClientEvent): void {
    const { item } = event;
    if (
      event.previous_item_id !== undefined &&
      event.previous_item_id !== null &&
      typeof event.previous_item_id !== 'string'
    ) {
      throw new ClientEventError(
        ERROR_CODES.invalidType,
        "Invalid type for 'previous_item_id': expected a string.",
        'previous_item_id',
      );
    }
    if (item === undefined)
      throw new ClientEventError(ERROR_CODES.missing, "Missing required parameter: 'item'.", 'item');
    if (!isObject(item))
      throw new ClientEventError(
        ERROR_CODES.invalidType,
        "Invalid type for 'item': expected an object.",
        'item',
      );
    if (item.id !== undefined && typeof item.id !== 'string') {
      throw new ClientEventError(
        ERROR_CODES.invalidType,
        "Invalid type for 'item.id': expected a string.",
        'item.id',
      );
    }
    const id = typeof item.id === 'string' && item.id.length > 0 ? item.id : this.newId('item');
    switch (item.type) {
      case 'message':
        this.createMessage(id, item);
        return;
      case 'function_call_output':
        this.createFunctionCallOutput(id, item);
        return;
      case 'function_call':
        this.createFunctionCall(id, item);
        return;
      case undefined:
        throw new ClientEventError(
          ERROR_CODES.missing,
          "Missing required parameter: 'item.type'.",
          'item.type',
        );
      default:
        throw new ClientEventError(
          ERROR_CODES.invalidValue,
          `Invalid value for 'item.type': ${JSON.stringify(item.type)}. Supported values: 'message', 'function_call_output', 'function_call'.`,
          'item.type',
        );
    }
  }

  private checkItemKeys(item: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(item)) {
      if (!allowed.includes(key) && key !== 'id' && key !== 'type' && key !== 'object' && key !== 'status') {
        throw new ClientEventError(
          ERROR_CODES.unknownParameter,
          `Unknown parameter: 'item.${key}'.`,
          `item.${key}`,
        );
      }
    }
  }

  private stringField(item: Record<string, unknown>, key: string): string {
    const value = item[key];
    if (value === undefined)
      throw new ClientEventError(
        ERROR_CODES.missing,
        `Missing required parameter: 'item.${key}'.`,
        `item.${key}`,
      );
    if (typeof value !== 'string') {
      throw new ClientEventError(
        ERROR_CODES.invalidType,
        `Invalid type for 'item.${key}': expected a string.`,
        `item.${key}`,
      );
    }
    return value;
  }

  /**
   * Messages: `user` and `system` take `input_text` parts; `assistant` messages (conversation restore,
   * [unconfirmed] on xAI) take `output_text` or `text` parts.
   */
  private createMessage(id: string, item: Record<string, unknown>): void {
    this.checkItemKeys(item, ['role', 'content']);
    const role = item.role;
    if (role === undefined)
      throw new ClientEventError(
        ERROR_CODES.missing,
        "Missing required parameter: 'item.role'.",
        'item.role',
      );
    if (role !== 'user' && role !== 'system' && role !== 'assistant') {
      throw new ClientEventError(
        ERROR_CODES.invalidValue,
        `Invalid value for 'item.role': ${JSON.stringify(role)}. Supported values: 'user', 'system', 'assistant'.`,
        'item.role',
      );
    }
    const content = item.content;
    if (!Array.isArray(content) || content.length === 0) {
      throw new ClientEventError(
        ERROR_CODES.invalidType,
        "Invalid type for 'item.content': expected a non-empty array.",
        'item.content',
      );
    }
    const partTypes = role === 'assistant' ? ['output_text', 'text'] : ['input_text'];
    const texts: string[] = [];
    content.forEach((part, i) => {
      const param = `item.content[${i}]`;
      if (!isObject(part))
        throw new ClientEventError(
          ERROR_CODES.invalidType,
          `Invalid type for '${param}': expected an object.`,
          param,
        );
      if (typeof part.type !== 'string' || !partTypes.includes(part.type)) {
        throw new ClientEventError(
          ERROR_CODES.invalidValue,
          `Invalid value for '${param}.type': ${JSON.stringify(part.type)}. Supported for role '${role}': ${partTypes.join(', ')}.`,
          `${param}.type`,
        );
      }
      if (typeof part.text !== 'string') {
        throw new ClientEventError(
          ERROR_CODES.invalidType,
          `Invalid type for '${param}.text': expected a string.`,
          `${param}.text`,
        );
      }
      texts.push(part.text);
    });
    this.addItem({
      id,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role,
      content: content.map((part) => ({ type: part.type, text: part.text })),
    });
    if (role === 'user') {
      this.pendingUserText = texts.join(' ');
      this.pendingUnrecognized = false;
    }
  }

  /** `call_id` must name a function call of this conversation (made here or restored by the client). */
  private createFunctionCallOutput(id: string, item: Record<string, unknown>): void {
    this.checkItemKeys(item, ['call_id', 'output']);
    const callId = this.stringField(item, 'call_id');
    const output = this.stringField(item, 'output');
    const call = this.calls.get(callId);
    if (!call) {
      throw new ClientEventError(
        ERROR_CODES.invalidValue,
        `Invalid value for 'item.call_id': no function call with call_id '${callId}' in this conversation.`,
        'item.call_id',
      );
    }
    this.addItem({
      id,
      object: 'realtime.item',
      type: 'function_call_output',
      status: 'completed',
      call_id: callId,
      output,
    });
    this.pendingToolResults.push({ name: call.name, arguments: call.arguments, output });
  }

  private createFunctionCall(id: string, item: Record<string, unknown>): void {
    this.checkItemKeys(item, ['call_id', 'name', 'arguments']);
    const callId = this.stringField(item, 'call_id');
    const name = this.stringField(item, 'name');
    const args = this.stringField(item, 'arguments');
    this.calls.set(callId, { name, arguments: args });
    this.addItem({
      id,
      object: 'realtime.item',
      type: 'function_call',
      status: 'completed',
      name,
      call_id: callId,
      arguments: args,
    });
  }

  // ---- responses --------------------------------------------------------------------------------

  private onResponseCreate(event: ClientEvent): void {
    let instructions: string | undefined;
    const response = event.response;
    if (response !== undefined && response !== null) {
      if (!isObject(response)) {
        throw new ClientEventError(
          ERROR_CODES.invalidType,
          "Invalid type for 'response': expected an object.",
          'response',
        );
      }
      for (const key of Object.keys(response)) {
        if (!['modalities', 'output_modalities', 'instructions', 'metadata'].includes(key)) {
          throw new ClientEventError(
            ERROR_CODES.unknownParameter,
            `Unknown parameter: 'response.${key}'.`,
            `response.${key}`,
          );
        }
      }
      if (response.instructions !== undefined) {
        if (typeof response.instructions !== 'string') {
          throw new ClientEventError(
            ERROR_CODES.invalidType,
            "Invalid type for 'response.instructions': expected a string.",
            'response.instructions',
          );
        }
        instructions = response.instructions;
      }
    }
    if (this.active) {
      throw new ClientEventError(
        ERROR_CODES.alreadyActive,
        `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
        null,
      );
    }
    this.createResponse(instructions);
  }

  private onResponseCancel(): void {
    if (!this.active) {
      throw new ClientEventError(
        ERROR_CODES.cancelNotActive,
        'Cancellation failed: no active response found.',
        null,
      );
    }
    this.active.cancel('client_cancelled');
  }

  private createResponse(instructions: string | undefined): void {
    const plan = planReply({
      userText: this.pendingUserText,
      userTextUnrecognized: this.pendingUnrecognized,
      toolResults: this.pendingToolResults,
      tools: this.config.tools,
      responseInstructions: instructions,
    });
    const inputChars =
      this.config.instructions.length +
      (this.pendingUserText?.length ?? 0) +
      this.pendingToolResults.reduce((n, r) => n + r.output.length, 0);
    this.pendingUserText = null;
    this.pendingUnrecognized = false;
    this.pendingToolResults = [];
    const run = new ResponseRun(
      {
        send: (e) => this.send(e),
        newId: (kind) => this.newId(kind),
        conversation: this.conversation,
        outputFormat: this.config.audio.output.format,
        synthesize: (text, rate) => this.options.voice.synthesize(text, rate),
        speed: this.options.speed ?? 1,
        leadMs: this.options.leadMs ?? DEFAULT_LEAD_MS,
        inputTokens: tokens(inputChars),
        onDone: (done) => {
          const call = done.functionCall;
          if (call) this.calls.set(call.callId, { name: call.name, arguments: call.arguments });
          if (this.active === done) this.active = undefined;
        },
      },
      plan,
    );
    this.active = run;
    try {
      run.start();
    } catch (error) {
      run.dispose();
      if (this.active === run) this.active = undefined;
      throw error;
    }
  }
}
