import assert from 'node:assert/strict';
import type { AudioFrame } from '@x/audio';
import type { AudioOutput, PlayoutResult } from '../../audio-io/audio-output.js';
import { MemoryAudioOutput } from '../../audio-io/memory-output.js';
import { Agent } from '../../chat/agent.js';
import { functionTool } from '../../chat/function-tool.js';
import type { RealtimeMetrics } from '../../metrics/types.js';
import type { RealtimeEvents } from '../../realtime/events.js';
import type { RealtimeModel } from '../../realtime/realtime-model.js';

export interface RealtimeConformanceSetup {
  /** A new, unconnected model that uses `agent` and plays into `output`. */
  createModel(options: { agent: Agent; output: AudioOutput }): RealtimeModel | Promise<RealtimeModel>;
  /**
   * Frames (any rate and channel count) in which the user says `text`, followed by enough silence
   * for the model's turn detection to end the turn. Called after `createModel`; a scripted fake may
   * queue `text` on `model`.
   */
  speech(text: string, model: RealtimeModel): AudioFrame[] | Promise<AudioFrame[]>;
  /** Typed text that makes the model call the tool `get_weather` (argument `city`). */
  toolPrompt?: string;
  /** Typed text whose spoken reply lasts at least a second (for the interruption check). */
  longPrompt?: string;
  /** Decodes agent audio back to text, to check the audio says what the transcript says. */
  transcribeAgentAudio?(audio: AudioFrame): string | Promise<string>;
  /** An output that plays in real time (interruption check). Default: a paced `MemoryAudioOutput`. */
  createPacedOutput?(): AudioOutput;
  /** Compares transcripts after this; default lower-case, punctuation removed, spaces collapsed. */
  normalize?(text: string): string;
  /** Longest wait for any one thing. Default 10 000 ms. */
  timeoutMs?: number;
}

export interface RealtimeConformanceCheck {
  name: string;
  run: () => Promise<void>;
}

const DEFAULT_TOOL_PROMPT = 'What is the weather in Paris?';
const DEFAULT_LONG_PROMPT =
  'Please repeat after me: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.';

function defaultNormalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

type RecordedEvent = {
  [E in keyof RealtimeEvents]: { name: E; args: Parameters<RealtimeEvents[E]>; atMs: number };
}[keyof RealtimeEvents];

/** Forwards to an output and records what it was given. */
class RecordingOutput implements AudioOutput {
  readonly frames: Array<{ frame: AudioFrame; atMs: number }> = [];
  readonly interrupts: number[] = [];
  constructor(readonly inner: AudioOutput) {}
  get sampleRate(): number | undefined {
    return this.inner.sampleRate;
  }
  get playedMs(): number {
    return this.inner.playedMs;
  }
  get pushedMs(): number {
    return this.frames.reduce(
      (sum, { frame }) => sum + (frame.samplesPerChannel * 1000) / frame.sampleRate,
      0,
    );
  }
  push(frame: AudioFrame): void {
    this.frames.push({ frame, atMs: performance.now() });
    this.inner.push(frame);
  }
  flush(): void {
    this.inner.flush();
  }
  interrupt(): void {
    this.interrupts.push(performance.now());
    this.inner.interrupt();
  }
  waitForPlayout(): Promise<PlayoutResult> {
    return this.inner.waitForPlayout();
  }
  /** Every frame as one mono-or-not frame (frames must share a format). */
  audio(): AudioFrame {
    const first = this.frames[0]?.frame;
    const length = this.frames.reduce((n, { frame }) => n + frame.data.length, 0);
    const data = new Int16Array(length);
    let offset = 0;
    for (const { frame } of this.frames) {
      data.set(frame.data, offset);
      offset += frame.data.length;
    }
    const channels = first?.channels ?? 1;
    return { data, sampleRate: first?.sampleRate ?? 24_000, channels, samplesPerChannel: length / channels };
  }
}

const EVENT_NAMES: ReadonlyArray<keyof RealtimeEvents> = [
  'user_speech_started',
  'user_speech_ended',
  'agent_speech_started',
  'agent_speech_ended',
  'transcription',
  'function_executed',
  'text_output',
  'reconnected',
  'error',
  'metrics',
  'unknown_event',
];

class Session {
  readonly events: RecordedEvent[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(
    readonly model: RealtimeModel,
    readonly output: RecordingOutput,
    readonly timeoutMs: number,
  ) {
    for (const name of EVENT_NAMES) {
      model.on(name, ((...args: unknown[]) => {
        this.events.push({ name, args, atMs: performance.now() } as RecordedEvent);
        for (const wake of [...this.#waiters]) wake();
      }) as RealtimeEvents[typeof name]);
    }
  }

  index(predicate: (event: RecordedEvent) => boolean, from = 0): number {
    for (let i = from; i < this.events.length; i++) if (predicate(this.events[i]!)) return i;
    return -1;
  }

  /** Resolves with the index of the first event (at or after `from`) matching; rejects after the timeout. */
  waitFor(what: string, predicate: (event: RecordedEvent) => boolean, from = 0): Promise<number> {
    const found = this.index(predicate, from);
    if (found >= 0) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new assert.AssertionError({ message: `timed out after ${this.timeoutMs} ms waiting for ${what}` }),
        );
      }, this.timeoutMs);
      const check = () => {
        const index = this.index(predicate, from);
        if (index < 0) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(index);
      };
      this.#waiters.add(check);
    });
  }

  named<E extends keyof RealtimeEvents>(name: E): Array<Parameters<RealtimeEvents[E]>> {
    return this.events.filter((e) => e.name === name).map((e) => e.args as Parameters<RealtimeEvents[E]>);
  }
}

const isEvent =
  <E extends keyof RealtimeEvents>(name: E, test?: (...args: Parameters<RealtimeEvents[E]>) => boolean) =>
  (event: RecordedEvent): boolean =>
    event.name === name && (!test || test(...(event.args as Parameters<RealtimeEvents[E]>)));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every `RealtimeModel` must show, as a list of named checks (run each as a test).
 * Assertions use `node:assert/strict` and are all awaited, so a failing provider fails the check.
 */
export function realtimeConformanceChecks(setup: RealtimeConformanceSetup): RealtimeConformanceCheck[] {
  const timeoutMs = setup.timeoutMs ?? 10_000;
  const normalize = setup.normalize ?? defaultNormalize;

  async function open(
    options: { tools?: boolean; paced?: boolean; connect?: boolean } = {},
  ): Promise<{ session: Session; agent: Agent; toolCalls: unknown[]; close: () => Promise<void> }> {
    const toolCalls: unknown[] = [];
    const tools = options.tools
      ? [
          functionTool({
            name: 'get_weather',
            description: 'Gets the current weather for a city.',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string', description: 'The city' } },
              required: ['city'],
            },
            execute: (args: unknown) => {
              toolCalls.push(args);
              return { forecast: 'sunny' };
            },
          }),
        ]
      : [];
    const agent = new Agent({ instructions: 'You are a helpful assistant. Keep answers short.', tools });
    const inner = options.paced
      ? (setup.createPacedOutput?.() ?? new MemoryAudioOutput({ realtime: true }))
      : new MemoryAudioOutput();
    const output = new RecordingOutput(inner);
    const model = await setup.createModel({ agent, output });
    const session = new Session(model, output, timeoutMs);
    const close = async () => {
      await model.close();
      if (inner instanceof MemoryAudioOutput) await inner.close();
    };
    if (options.connect !== false) {
      try {
        await withTimeout(model.connect(), timeoutMs, 'connect()');
      } catch (error) {
        await close();
        throw error;
      }
    }
    return { session, agent, toolCalls, close };
  }

  async function finalAssistantText(
    session: Session,
    from: number,
  ): Promise<{ index: number; text: string }> {
    const index = await session.waitFor(
      'a final assistant transcription',
      isEvent('transcription', (t) => t.role === 'assistant' && t.final && t.text.trim() !== ''),
      from,
    );
    const event = session.events[index]!;
    return { index, text: (event.args[0] as { text: string }).text };
  }

  return [
    {
      name: 'connects and closes',
      run: async () => {
        const { session, close } = await open();
        try {
          assert.equal(session.model.connectionState, 'ready');
        } finally {
          await close();
        }
        assert.equal(session.model.connectionState, 'closed');
      },
    },
    {
      name: 'a spoken user turn yields the user transcript, then agent audio and its transcript, in order',
      run: async () => {
        const { session, close } = await open();
        try {
          const said = 'what time is it';
          for (const frame of await setup.speech(said, session.model)) session.model.pushAudio(frame);
          const ended = await session.waitFor('agent_speech_ended', isEvent('agent_speech_ended'));
          const started = session.index(isEvent('user_speech_started'));
          const stopped = session.index(isEvent('user_speech_ended'));
          const userText = session.index(isEvent('transcription', (t) => t.role === 'user' && t.final));
          const agentStarted = session.index(isEvent('agent_speech_started'));
          assert.ok(started >= 0, 'user_speech_started was emitted');
          assert.ok(stopped > started, 'user_speech_ended follows user_speech_started');
          assert.ok(userText >= 0, 'a final user transcription was emitted');
          assert.equal(
            normalize((session.events[userText]!.args[0] as { text: string }).text),
            normalize(said),
            'the user transcript is what was said',
          );
          assert.ok(agentStarted > stopped, 'the agent starts speaking after the user stopped');
          assert.ok(ended > agentStarted, 'agent_speech_ended follows agent_speech_started');
          const reply = await finalAssistantText(session, stopped);
          assert.ok(
            reply.index > agentStarted || reply.index > userText,
            'the reply transcript follows the turn',
          );
          assert.ok(session.output.pushedMs > 0, 'agent audio reached the output');
          const [endedEvent] = session.events[ended]!.args as [{ interrupted: boolean }];
          assert.equal(endedEvent.interrupted, false, 'the reply played to the end');
          if (setup.transcribeAgentAudio) {
            const heard = await setup.transcribeAgentAudio(session.output.audio());
            assert.equal(
              normalize(heard),
              normalize(reply.text),
              'the agent audio says what its transcript says',
            );
          }
          const metrics = await session.waitFor('metrics', isEvent('metrics'));
          const [m] = session.events[metrics]!.args as [RealtimeMetrics];
          assert.equal(m.type, 'realtime');
          assert.equal(m.interrupted, false);
          assert.ok(m.ttfbMs !== null && m.ttfbMs >= 0, 'ttfb measured from the end of user speech');
        } finally {
          await close();
        }
      },
    },
    {
      name: 'sendText yields a spoken reply',
      run: async () => {
        const { session, close } = await open();
        try {
          session.model.sendText('Hello there');
          const reply = await finalAssistantText(session, 0);
          assert.ok(reply.text.trim().length > 0);
          await session.waitFor('agent_speech_ended', isEvent('agent_speech_ended'));
          assert.ok(session.index(isEvent('agent_speech_started')) >= 0, 'agent_speech_started was emitted');
          assert.ok(session.output.pushedMs > 0, 'agent audio reached the output');
          const history = session.model.history;
          assert.ok(
            history.some((e) => e.type === 'message' && e.role === 'user' && e.text === 'Hello there'),
            'the typed message is in the history',
          );
          await session.waitFor(
            'metrics',
            isEvent('metrics', (m) => m.ttfbMs !== null && m.ttfbMs >= 0),
          );
        } finally {
          await close();
        }
      },
    },
    {
      name: 'interrupt() during a reply stops the output and ends agent speech as interrupted',
      run: async () => {
        const { session, close } = await open({ paced: true });
        try {
          session.model.sendText(setup.longPrompt ?? DEFAULT_LONG_PROMPT);
          await session.waitFor('agent_speech_started', isEvent('agent_speech_started'));
          // Let some audio play.
          const deadline = performance.now() + timeoutMs;
          while (session.output.playedMs < 200 && performance.now() < deadline) await sleep(20);
          assert.ok(session.output.playedMs >= 200, 'agent audio started playing');
          const from = session.events.length;
          session.model.interrupt();
          const pushedAtInterrupt = session.output.frames.length;
          const ended = await session.waitFor('agent_speech_ended', isEvent('agent_speech_ended'), from);
          const [endedEvent] = session.events[ended]!.args as [{ interrupted: boolean; playedMs: number }];
          assert.equal(endedEvent.interrupted, true, 'agent_speech_ended says interrupted');
          assert.ok(session.output.interrupts.length > 0, 'the output was interrupted');
          assert.ok(
            session.events[ended]!.atMs - session.output.interrupts.at(-1)! < 100,
            'agent speech ended at once',
          );
          await sleep(300);
          assert.equal(
            session.output.frames.length,
            pushedAtInterrupt,
            'no audio reached the output after interrupt()',
          );
          assert.ok(
            session.output.playedMs < session.output.pushedMs || session.output.playedMs === 0,
            'not everything was played',
          );
          const metrics = await session.waitFor(
            'metrics',
            isEvent('metrics', (m) => m.interrupted),
            from,
          );
          assert.ok(metrics >= 0);
          const last = [...session.model.history]
            .reverse()
            .find((e) => e.type === 'message' && e.role === 'assistant');
          assert.ok(
            last && last.type === 'message' && last.interrupted,
            'the history marks the reply interrupted',
          );
        } finally {
          await close();
        }
      },
    },
    {
      name: "a tool call runs the agent's tool and the follow-up reply arrives",
      run: async () => {
        const { session, toolCalls, close } = await open({ tools: true });
        try {
          session.model.sendText(setup.toolPrompt ?? DEFAULT_TOOL_PROMPT);
          const executed = await session.waitFor('function_executed', isEvent('function_executed'));
          const [call] = session.events[executed]!.args as [
            { name: string; isError: boolean; output: string; arguments: string },
          ];
          assert.equal(call.name, 'get_weather');
          assert.equal(call.isError, false, `the tool ran without error (output ${call.output})`);
          assert.deepEqual(JSON.parse(call.output), { forecast: 'sunny' });
          assert.equal(toolCalls.length, 1, 'the tool ran once');
          const reply = await finalAssistantText(session, executed);
          assert.match(normalize(reply.text), /sunny/, 'the follow-up reply uses the tool output');
          await session.waitFor('agent_speech_ended', isEvent('agent_speech_ended'), executed);
          await sleep(200);
          assert.equal(toolCalls.length, 1, 'the tool ran once only');
          assert.equal(session.named('function_executed').length, 1, 'one function_executed event');
          assert.ok(
            session.named('metrics').length >= 2,
            'two replies finished: the one with the call and the follow-up',
          );
          const finals = session.events
            .slice(executed)
            .filter(
              isEvent('transcription', (t) => t.role === 'assistant' && t.final && t.text.trim() !== ''),
            );
          assert.equal(finals.length, 1, 'exactly one follow-up reply was spoken');
        } finally {
          await close();
        }
      },
    },
    {
      name: 'close() is idempotent and the model is inert afterwards',
      run: async () => {
        const { session, close } = await open();
        const model = session.model;
        await Promise.all([model.close(), model.close()]);
        await model.close();
        assert.equal(model.connectionState, 'closed');
        // Calls after close neither throw nor reach anything.
        model.pushAudio({
          data: new Int16Array(480),
          sampleRate: 24_000,
          channels: 1,
          samplesPerChannel: 480,
        });
        model.sendText('anyone there?');
        model.createResponse();
        model.commitAudio();
        model.interrupt();
        await assert.rejects(model.connect(), 'connect() after close() rejects');
        await sleep(100);
        assert.equal(session.output.frames.length, 0, 'no audio after close');
        await close();
        const never = await open({ connect: false });
        await never.close();
        await never.close();
        assert.equal(never.session.model.connectionState, 'closed');
      },
    },
  ];
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new assert.AssertionError({ message: `${what} did not settle within ${ms} ms` })),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
