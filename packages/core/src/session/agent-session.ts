import type { AudioFrame } from '@x/audio';
import type { AudioInput } from '../audio-io/audio-output.js';
import type { Agent } from '../chat/agent.js';
import type { ChatContext } from '../chat/chat-context.js';
import { ConfigurationError } from '../errors/errors.js';
import { TypedEventEmitter } from '../events/typed-emitter.js';
import { CascadedPipeline } from './cascaded-pipeline.js';
import type { AgentSessionEvents, AgentState, SessionErrorSource, UserState } from './events.js';
import type { SessionHost, SessionPipeline } from './host.js';
import {
  type AgentSessionOptions,
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionMode,
} from './options.js';
import { RealtimePipeline } from './realtime-pipeline.js';
import { SpeechHandle, type UserTurnInfo } from './speech-handle.js';
import { SpeechQueue } from './speech-queue.js';

export interface StartOptions {
  /** User audio to read until it ends or the session closes (or push frames with `pushAudio`). */
  input?: AudioInput;
}

export interface SayOptions {
  /** Whether user speech may cut this speech off (default: the session's `allowInterruptions`). */
  allowInterruptions?: boolean;
  /** Record the text (or what was heard of it) as an assistant message (default true; cascaded mode). */
  addToChatContext?: boolean;
}

export interface GenerateReplyOptions {
  /** Extra instructions for this reply only (cascaded mode). */
  instructions?: string;
  /** A user message to answer, added to the history first. */
  userInput?: string;
  /** Whether user speech may cut this reply off (default: the session's `allowInterruptions`). */
  allowInterruptions?: boolean;
}

/**
 * Runs a voice agent: user audio in, agent audio out.
 *
 * - **Cascaded mode** (`stt` + `llm` + `tts`): a VAD (or the STT's speech events) and the STT detect
 *   the user's turn; the LLM answers with its tool loop; the reply is spoken sentence by sentence.
 * - **Realtime mode** (`realtime`): a speech-to-speech model does it all; the session passes audio
 *   and turns the model's events into the same session events.
 *
 * Agent speech (`say()`, `generateReply()`, replies to user turns) is queued and plays one at a
 * time, in order; each returns a `SpeechHandle` to await or interrupt. User speech during agent
 * speech (lasting `minInterruptionSpeechMs`) stops the audio within a frame, cancels generation,
 * and records only what the user heard.
 *
 * The session owns the components it is given: `close()` closes them (unless `closeComponents:
 * false`). The audio output is the caller's and is only interrupted. Attach an `error` listener to
 * see component failures; a failing turn ends its speech, not the session.
 */
export class AgentSession extends TypedEventEmitter<AgentSessionEvents> {
  readonly mode: SessionMode;
  readonly #options: ResolvedSessionOptions;
  readonly #pipeline: SessionPipeline;
  readonly #queue: SpeechQueue;
  #agent: Agent | undefined;
  #agentState: AgentState = 'listening';
  #userState: UserState = 'listening';
  #started = false;
  #closing: Promise<void> | undefined;
  #input: AsyncIterator<AudioFrame> | undefined;
  /** Errors already emitted: a component's own `error` event and a failed turn report the same one. */
  readonly #reported = new WeakSet<Error>();

  constructor(options: AgentSessionOptions) {
    super();
    this.#options = resolveSessionOptions(options);
    this.mode = this.#options.mode;
    const host = this.#createHost();
    this.#pipeline = this.mode === 'cascaded' ? new CascadedPipeline(host) : new RealtimePipeline(host);
    this.#queue = new SpeechQueue({
      run: (handle) => this.#pipeline.runSpeech(handle),
      skipped: (handle) => this.#pipeline.skipSpeech(handle),
      idle: () => this.#setAgentState(this.#pipeline.idleState()),
      failed: (handle, error) => {
        this.#reportError('session', error);
        handle.finish({ interrupted: false, text: '', error });
      },
    });
  }

  /** The agent given to `start()`. */
  get agent(): Agent | undefined {
    return this.#agent;
  }

  /**
   * The conversation. Cascaded mode: the live history the LLM sees (after the agent's
   * instructions). Realtime mode: a snapshot of the model's history.
   */
  get chatContext(): ChatContext {
    return this.#pipeline.chatContext();
  }

  get agentState(): AgentState {
    return this.#agentState;
  }

  get userState(): UserState {
    return this.#userState;
  }

  /** The speech playing now. */
  get currentSpeech(): SpeechHandle | undefined {
    return this.#queue.current;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Starts the session with `agent` (realtime mode: connects the model). With `input`, frames are
   * read from it until it ends or the session closes. If this rejects, call `close()`.
   */
  async start(agent: Agent, options: StartOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the AgentSession is closed');
    if (this.#started) throw new Error('the AgentSession was already started');
    if (typeof agent?.instructions !== 'string' || !Array.isArray(agent.tools)) {
      throw new ConfigurationError('agent', agent, 'an Agent (new Agent({ instructions, tools }))');
    }
    const input = options.input;
    if (input !== undefined && typeof input?.[Symbol.asyncIterator] !== 'function') {
      throw new ConfigurationError('input', input, 'an async iterable of AudioFrames');
    }
    this.#agent = agent;
    this.#started = true;
    await this.#pipeline.start();
    if (input && !this.closed) void this.#readInput(input);
  }

  /** User audio (any rate and channel count). Ignored after `close()`. */
  pushAudio(frame: AudioFrame): void {
    if (this.closed) return;
    this.#requireStarted('pushAudio');
    this.#pipeline.pushAudio(frame);
  }

  /** Speaks `text` (through the TTS) after the speeches already queued. */
  say(text: string, options: SayOptions = {}): SpeechHandle {
    this.#requireStarted('say');
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ConfigurationError('text', text, 'a non-empty string');
    }
    if (this.mode === 'realtime' && !this.#options.tts) {
      throw new ConfigurationError(
        'tts',
        undefined,
        'a TTS in the session options to say() text in realtime mode',
      );
    }
    const allow = this.#allowInterruptions(options.allowInterruptions, false);
    const addToChatContext = options.addToChatContext ?? true;
    if (typeof addToChatContext !== 'boolean') {
      throw new ConfigurationError('addToChatContext', addToChatContext, 'true or false');
    }
    return this.#enqueue(new SpeechHandle({ kind: 'say', text, addToChatContext }, allow));
  }

  /** Asks the model for a reply (to `userInput`, or to the conversation so far), queued like `say()`. */
  generateReply(options: GenerateReplyOptions = {}): SpeechHandle {
    this.#requireStarted('generateReply');
    const { instructions, userInput } = options;
    if (instructions !== undefined && typeof instructions !== 'string') {
      throw new ConfigurationError('instructions', instructions, 'a string');
    }
    if (instructions !== undefined && this.mode === 'realtime') {
      throw new ConfigurationError(
        'instructions',
        instructions,
        'no per-reply instructions in realtime mode',
        "Put them in the agent's instructions, or pass the words to answer as userInput",
      );
    }
    if (userInput !== undefined && typeof userInput !== 'string') {
      throw new ConfigurationError('userInput', userInput, 'a string');
    }
    const allow = this.#allowInterruptions(options.allowInterruptions, this.mode === 'realtime');
    return this.#enqueue(
      new SpeechHandle(
        {
          kind: 'reply',
          ...(instructions !== undefined ? { instructions } : {}),
          ...(userInput !== undefined ? { userInput } : {}),
        },
        allow,
      ),
    );
  }

  /** Stops the current speech and drops every queued one (whatever their `allowInterruptions`). */
  interrupt(): void {
    this.#queue.interruptAll();
  }

  /**
   * Stops everything: speeches are interrupted, input reading stops, listeners on the components
   * are removed, and the components are closed (unless `closeComponents: false`). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopInput();
      this.#queue.interruptAll();
      await this.#pipeline.close();
      await this.#queue.close();
      this.emit('close');
    })();
    return this.#closing;
  }

  #enqueue(handle: SpeechHandle): SpeechHandle {
    if (this.closed) {
      handle.interrupt();
      return handle;
    }
    this.emit('speech_created', handle);
    this.#queue.push(handle);
    return handle;
  }

  #allowInterruptions(value: boolean | undefined, realtimeReply: boolean): boolean {
    if (value === undefined) return this.#options.allowInterruptions;
    if (typeof value !== 'boolean')
      throw new ConfigurationError('allowInterruptions', value, 'true or false');
    if (!value && realtimeReply) {
      throw new ConfigurationError(
        'allowInterruptions',
        false,
        'true for realtime replies',
        "The realtime model's server VAD cuts its replies itself",
      );
    }
    return value;
  }

  #requireStarted(method: string): void {
    if (this.closed) throw new Error(`AgentSession.${method}(): the session is closed`);
    if (!this.#started) throw new Error(`AgentSession.${method}(): call start(agent) first`);
  }

  async #readInput(input: AudioInput): Promise<void> {
    const iterator = input[Symbol.asyncIterator]();
    this.#input = iterator;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done || this.closed) break;
        this.#pipeline.pushAudio(next.value);
      }
    } catch (error) {
      if (!this.closed) this.#reportError('input', error, false);
    } finally {
      if (this.#input === iterator) this.#input = undefined;
    }
  }

  #stopInput(): void {
    const iterator = this.#input;
    this.#input = undefined;
    if (iterator?.return) Promise.resolve(iterator.return()).catch(() => undefined);
  }

  #setAgentState(state: AgentState): void {
    if (state === this.#agentState) return;
    const oldState = this.#agentState;
    this.#agentState = state;
    this.emit('agent_state_changed', { oldState, newState: state });
  }

  #setUserState(state: UserState): void {
    if (state === this.#userState) return;
    const oldState = this.#userState;
    this.#userState = state;
    this.emit('user_state_changed', { oldState, newState: state });
  }

  #reportError(source: SessionErrorSource, error: unknown, recoverable = true): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.#reported.has(err)) return;
    this.#reported.add(err);
    if (this.listenerCount('error') === 0) return;
    this.emit('error', { error: err, source, recoverable });
  }

  #createHost(): SessionHost {
    // Getters of the object literal below get their own `this`, so they use this alias.
    const session = this;
    const options = this.#options;
    return {
      options,
      get agent(): Agent {
        const agent = session.#agent;
        if (!agent) throw new Error('the AgentSession has not been started');
        return agent;
      },
      history: options.chatContext,
      emit: (event, ...args) => {
        this.emit(event, ...args);
      },
      reportError: (source, error, recoverable) => this.#reportError(source, error, recoverable),
      setAgentState: (state) => this.#setAgentState(state),
      setUserState: (state) => this.#setUserState(state),
      replyToUserTurn: (turn: UserTurnInfo) =>
        this.#enqueue(new SpeechHandle({ kind: 'reply', userTurn: turn }, options.allowInterruptions)),
      bargeIn: () => this.#queue.interruptAll((handle) => handle.allowInterruptions),
      get currentSpeech() {
        return session.#queue.current;
      },
    };
  }
}
