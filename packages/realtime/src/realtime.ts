import {
  APIConnectionError,
  APIError,
  type RealtimeConversationEntry,
  type RealtimeFunctionCallResult,
  RealtimeModel,
  type RealtimeResponseRequest,
  resolveApiKey,
  type Usage,
} from '@x/core';
import { type ClientSecret, type CreateClientSecretOptions, createClientSecret } from './client-secret.js';
import {
  type ResolvedXAIRealtimeConfig,
  realtimeURL,
  resolveXAIRealtimeConfig,
  type XAIRealtimeConfig,
} from './config.js';
import { RealtimeConnection } from './connection.js';
import {
  BENIGN_ERROR_CODES,
  type ClientEvent,
  type ParsedServerEvent,
  type ServerEvent,
  type ServerItem,
  type ServerUsage,
  serializeAudioAppend,
} from './protocol.js';
import { buildResponseCreate, buildSessionUpdate, historyItems } from './session.js';
import { encodeInputAudio, OutputAudioDecoder } from './wire-audio.js';

/**
 * The Grok voice agent (xAI realtime API) over one WebSocket. Every config field reaches the wire:
 * the model in the URL, voice, instructions, turn detection, audio formats and tools in
 * `session.update`. The base class (`RealtimeModel` from `@x/core`) does the audio conversion,
 * in-order playout, barge-in, the tool loop, metrics and reconnects; this class is the protocol.
 *
 * Events: see `RealtimeEvents` in `@x/core`. Attach an `error` listener (unrecoverable errors are
 * otherwise only a process warning).
 */
export class XAIRealtime extends RealtimeModel {
  readonly config: ResolvedXAIRealtimeConfig;
  readonly #apiKey: string;
  #connection: RealtimeConnection | undefined;
  /** The connection attempt whose socket may deliver events. */
  #attempt: object | undefined;
  #decoder: OutputAudioDecoder;
  #decoderResponse: string | undefined;
  /** Replies the server has created and not yet finished. */
  readonly #activeResponses = new Set<string>();
  /** `response.create` sent on this connection and not yet answered by `response.created` (or refused). */
  #createsInFlight = 0;

  constructor(config: XAIRealtimeConfig = {}) {
    const resolved = resolveXAIRealtimeConfig(config);
    const apiKey = resolveApiKey(config.apiKey);
    super({
      provider: 'xai',
      model: resolved.model,
      inputSampleRate: resolved.sampleRate,
      outputSampleRate: resolved.sampleRate,
      connectOptions: resolved.connectOptions,
      inputBatchMs: resolved.inputBatchMs,
      turnDetection: resolved.turnDetection ? 'server' : 'manual',
      inputPrefixPaddingMs: resolved.turnDetection?.prefixPaddingMs ?? 0,
      maxReplayInputMs: resolved.maxReplayInputMs,
      resamplerQuality: resolved.resamplerQuality,
      responseTimeoutMs: resolved.responseTimeoutMs,
      ...(config.output ? { output: config.output } : {}),
    });
    this.config = resolved;
    this.#apiKey = apiKey;
    this.#decoder = new OutputAudioDecoder(resolved.audioFormat);
  }

  /** The URL connected to (`…/realtime?model=…`). */
  get url(): string {
    return realtimeURL(this.config);
  }

  /**
   * An ephemeral token for a browser (`xai-client-secret.<token>` WebSocket subprotocol), so the
   * API key never leaves the server.
   */
  createClientSecret(
    options: Omit<CreateClientSecretOptions, 'apiKey' | 'baseURL'> = {},
  ): Promise<ClientSecret> {
    return createClientSecret({
      ...options,
      apiKey: this.#apiKey,
      baseURL: this.config.baseURL,
      timeoutMs: options.timeoutMs ?? this.connectOptions.timeoutMs,
    });
  }

  // ---------------------------------------------------------------- transport hooks

  protected async openConnection(signal: AbortSignal): Promise<void> {
    const previous = this.#connection;
    this.#connection = undefined;
    await previous?.close();
    // Events are accepted from this attempt's socket only, from the first one after the handshake
    // (they can arrive in the same tick as `session.updated`, before `open` resolves).
    const attempt = {};
    this.#attempt = attempt;
    const connection = await RealtimeConnection.open({
      url: this.url,
      apiKey: this.#apiKey,
      handshakeTimeoutMs: this.config.handshakeTimeoutMs,
      signal,
      sessionUpdate: buildSessionUpdate(this.config, this.agent),
      handlers: {
        onMessage: (parsed) => {
          if (this.#attempt === attempt) this.#onMessage(parsed);
        },
        onLost: (error) => {
          if (this.#attempt !== attempt) return;
          this.#attempt = undefined;
          this.#connection = undefined;
          this.#activeResponses.clear();
          this.#createsInFlight = 0;
          this.handleConnectionLost(error);
        },
      },
    });
    if (signal.aborted || this.#attempt !== attempt) {
      await connection.close();
      throw signal.reason ?? new APIConnectionError('connection superseded', { retryable: false });
    }
    this.#connection = connection;
  }

  protected async closeConnection(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#attempt = undefined;
    this.#activeResponses.clear();
    this.#createsInFlight = 0;
    await connection?.close();
  }

  protected sendAudio(samples: Int16Array): void {
    this.#connection?.sendText(serializeAudioAppend(encodeInputAudio(samples, this.config.audioFormat)));
  }

  protected sendCommit(): void {
    this.#send({ type: 'input_audio_buffer.commit' });
  }

  protected sendUserMessage(text: string): void {
    this.#send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
  }

  protected sendCreateResponse(request: RealtimeResponseRequest): void {
    this.#createsInFlight++;
    this.#send(buildResponseCreate(this.config, request));
  }

  protected sendCancelResponse(): void {
    // Only when the server has a reply in progress or about to start (a create not yet answered);
    // a stray cancel would just earn a `response_cancel_not_active` error (swallowed anyway).
    if (this.#activeResponses.size > 0 || this.#createsInFlight > 0) this.#send({ type: 'response.cancel' });
  }

  protected sendFunctionCallOutput(result: RealtimeFunctionCallResult): void {
    this.#send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: result.callId, output: result.output },
    });
  }

  protected sendSessionUpdate(): void {
    this.#send(buildSessionUpdate(this.config, this.agent));
  }

  protected restoreConversation(entries: readonly RealtimeConversationEntry[]): void {
    for (const event of historyItems(entries)) this.#send(event);
  }

  /**
   * xAI documents no `conversation.item.truncate`, so nothing is sent: the cut is recorded in the
   * client-side history (what is replayed after a reconnect), and the server-side transcript of an
   * interrupted reply stays whole. If xAI adds truncation, send it here.
   */
  protected override truncateItem(_itemId: string, _audioEndMs: number): void {}

  // ---------------------------------------------------------------- server events

  #send(event: ClientEvent): void {
    this.#connection?.send(event);
  }

  #onMessage(parsed: ParsedServerEvent): void {
    // Any frame, even one that is ignored, shows the server is alive (`responseTimeoutMs`).
    this.noteServerActivity();
    if (parsed.kind === 'unknown') {
      this.handleUnknownEvent(parsed.type, parsed.raw);
      return;
    }
    if (parsed.kind === 'invalid') {
      this.reportError(
        new APIError(
          `ignored a malformed server event${parsed.type ? ` "${parsed.type}"` : ''}: ${parsed.reason}`,
          {
            retryable: false,
          },
        ),
      );
      return;
    }
    this.#onEvent(parsed.event);
  }

  #onEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.handleUserSpeechStarted(event.item_id, event.audio_start_ms);
        return;
      case 'input_audio_buffer.speech_stopped':
        this.handleUserSpeechStopped(event.item_id, event.audio_end_ms);
        return;
      case 'input_audio_buffer.committed':
        this.handleUserItem(event.item_id);
        return;
      case 'conversation.item.added':
      case 'conversation.item.created':
        this.#onItem(undefined, event.item);
        return;
      case 'conversation.item.input_audio_transcription.completed':
        this.handleUserTranscript(event.item_id, event.transcript, true);
        return;
      case 'response.created':
        this.#activeResponses.add(event.response.id);
        if (this.#createsInFlight > 0) this.#createsInFlight--;
        this.handleResponseCreated(event.response.id);
        return;
      case 'response.output_audio.delta': {
        if (event.response_id !== this.#decoderResponse) {
          this.#decoder.reset();
          this.#decoderResponse = event.response_id;
        }
        this.handleAudioDelta(event.response_id, event.item_id, this.#decoder.decode(event.delta));
        return;
      }
      case 'response.output_audio_transcript.delta':
        this.handleTranscriptDelta(event.response_id, event.item_id, event.delta);
        return;
      case 'response.output_audio_transcript.done':
        this.handleTranscriptDone(event.response_id, event.item_id, event.transcript);
        return;
      case 'response.output_text.delta':
        this.handleTextDelta(event.response_id, event.item_id, event.delta);
        return;
      case 'response.output_text.done':
        this.handleTextDone(event.response_id, event.item_id, event.text);
        return;
      case 'response.function_call_arguments.done':
        this.handleFunctionCall(event.response_id, {
          callId: event.call_id,
          name: event.name,
          arguments: event.arguments,
        });
        return;
      case 'response.output_item.done':
        this.#onItem(event.response_id, event.item);
        return;
      case 'response.done': {
        const { response } = event;
        // Calls the server announced only here still run (each call id runs once).
        for (const item of response.output ?? []) this.#onItem(response.id, item);
        this.#activeResponses.delete(response.id);
        this.handleResponseDone(response.id, {
          status: response.status ?? 'completed',
          usage: toUsage(response.usage),
        });
        return;
      }
      case 'error': {
        const { error } = event;
        if (error.code === 'conversation_already_has_active_response') {
          // A create raced a reply already running: it is dropped, not queued.
          if (this.#createsInFlight > 0) this.#createsInFlight--;
          this.handleRequestRejected();
          return;
        }
        if (error.code && BENIGN_ERROR_CODES.has(error.code)) return;
        this.handleServerError(
          new APIError(`xAI realtime error: ${error.message}${error.code ? ` (${error.code})` : ''}`, {
            retryable: false,
            body: error,
          }),
        );
        return;
      }
      default:
        // conversation.created, session.*, ping, content parts, argument deltas, audio done, cleared:
        // nothing to do.
        return;
    }
  }

  /** A conversation item: user audio items reserve their place; completed function calls run. */
  #onItem(responseId: string | undefined, item: ServerItem): void {
    if (item.type === 'message' && item.role === 'user' && item.id !== undefined) {
      if (item.content?.some((part) => part.type === 'input_audio')) this.handleUserItem(item.id);
      return;
    }
    if (
      item.type === 'function_call' &&
      item.status === 'completed' &&
      item.call_id !== undefined &&
      item.name !== undefined &&
      item.arguments !== undefined
    ) {
      this.handleFunctionCall(responseId, {
        callId: item.call_id,
        name: item.name,
        arguments: item.arguments,
      });
    }
  }
}

function toUsage(usage: ServerUsage | null | undefined): Usage | null {
  if (!usage) return null;
  const promptTokens = usage.input_tokens ?? 0;
  const completionTokens = usage.output_tokens ?? 0;
  return {
    promptTokens,
    completionTokens,
    totalTokens: usage.total_tokens ?? promptTokens + completionTokens,
  };
}
