import type { AudioFrame } from '@x/audio';
import type { Agent } from '../chat/agent.js';
import type { ChatContext } from '../chat/chat-context.js';
import type { AgentSessionEvents, AgentState, SessionErrorSource, UserState } from './events.js';
import type { ResolvedSessionOptions } from './options.js';
import type { SpeechHandle, UserTurnInfo } from './speech-handle.js';

/** What a pipeline needs from the session it runs in. */
export interface SessionHost {
  readonly options: ResolvedSessionOptions;
  /** The agent given to `start()`. */
  readonly agent: Agent;
  /** The cascaded history. */
  readonly history: ChatContext;
  emit<E extends keyof AgentSessionEvents & string>(
    event: E,
    ...args: Parameters<AgentSessionEvents[E]>
  ): void;
  /** Emits `error` (when someone listens); never throws. */
  reportError(source: SessionErrorSource, error: unknown, recoverable?: boolean): void;
  setAgentState(state: AgentState): void;
  setUserState(state: UserState): void;
  /** Queues the reply to a finished user turn. */
  replyToUserTurn(turn: UserTurnInfo): SpeechHandle;
  /** User speech long enough to interrupt: cuts off every speech that allows it. */
  bargeIn(): void;
  /** The speech playing now, if any. */
  readonly currentSpeech: SpeechHandle | undefined;
}

/** One way of running a session (cascaded or realtime). */
export interface SessionPipeline {
  start(): Promise<void>;
  pushAudio(frame: AudioFrame): void;
  /** Plays one speech from the queue to its end; must finish the handle. */
  runSpeech(handle: SpeechHandle): Promise<void>;
  /** A speech interrupted before it started reached its place in the queue. */
  skipSpeech(handle: SpeechHandle): void;
  /** The agent's state when no speech is queued. */
  idleState(): AgentState;
  /** The conversation so far (a snapshot in realtime mode). */
  chatContext(): ChatContext;
  /** Stops everything, detaches every listener, closes owned components. */
  close(): Promise<void>;
}
