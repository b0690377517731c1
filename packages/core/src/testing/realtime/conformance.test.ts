import { createAudioFrame } from '@x/audio';
import { describe, expect, it } from 'vitest';
import type { RealtimeEvents } from '../../realtime/events.js';
import type { RealtimeFunctionCall } from '../../realtime/realtime-model.js';
import { realtimeConformanceChecks, type RealtimeConformanceSetup } from './conformance.js';
import { FakeRealtimeModel, type FakeRealtimeModelOptions, type FakeReplyInput } from './fake-realtime.js';

/** The fake "hears" whatever `speech()` was asked to say. */
const heardQueue = new WeakMap<FakeRealtimeModel, string[]>();

/** Replies like a small model: calls get_weather when asked about weather, reads tool output back. */
function script(input: FakeReplyInput) {
  if (input.toolOutputs.length > 0) return { text: 'It is sunny in Paris.' };
  if (input.userText && /weather/i.test(input.userText)) {
    return { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] };
  }
  if (input.userText && /repeat/i.test(input.userText)) return { text: input.userText };
  return { text: `You said: ${input.userText ?? ''}` };
}

function speechFrames(): ReturnType<typeof createAudioFrame>[] {
  const frames = [];
  for (let k = 0; k < 30; k++) {
    const data = new Int16Array(960 * 2);
    if (k < 10) for (let i = 0; i < data.length; i++) data[i] = Math.round(6000 * Math.sin((i >> 1) / 5));
    frames.push(createAudioFrame(data, 48_000, 2));
  }
  return frames;
}

function setupFor(
  Model: new (options: FakeRealtimeModelOptions) => FakeRealtimeModel,
  timeoutMs = 3000,
): RealtimeConformanceSetup {
  return {
    timeoutMs,
    createModel: ({ agent, output }) => {
      const queue: string[] = [];
      const model: FakeRealtimeModel = new Model({
        output,
        replies: script,
        hear: () => queue.shift() ?? '',
        speed: 4,
      });
      heardQueue.set(model, queue);
      model.setAgent(agent);
      return model;
    },
    speech: (text, model) => {
      heardQueue.get(model as FakeRealtimeModel)?.push(text);
      return speechFrames();
    },
  };
}

describe('realtimeConformanceChecks against FakeRealtimeModel', () => {
  for (const check of realtimeConformanceChecks(setupFor(FakeRealtimeModel))) it(check.name, check.run);
});

/** Each broken fake breaks one promise; the matching check must fail against it. */
const broken: Array<{
  check: RegExp;
  why: string;
  message: RegExp;
  Model: new (o: FakeRealtimeModelOptions) => FakeRealtimeModel;
}> = [
  {
    check: /^connects/,
    why: 'connect() never settles',
    message: /connect\(\) did not settle/,
    Model: class extends FakeRealtimeModel {
      protected override openConnection(): Promise<void> {
        return new Promise(() => {});
      }
    },
  },
  {
    check: /spoken user turn/,
    why: 'no user transcript',
    message: /final user transcription/,
    Model: class extends FakeRealtimeModel {
      protected override handleUserTranscript(): void {}
    },
  },
  {
    check: /spoken user turn/,
    why: 'agent speech never ends',
    message: /agent_speech_ended/,
    Model: class extends FakeRealtimeModel {
      override emit<E extends keyof RealtimeEvents & string>(
        event: E,
        ...args: Parameters<RealtimeEvents[E]>
      ): boolean {
        return event === 'agent_speech_ended' ? false : super.emit(event, ...args);
      }
    },
  },
  {
    check: /sendText/,
    why: 'typed text is never sent',
    message: /timed out/,
    Model: class extends FakeRealtimeModel {
      protected override sendUserMessage(): void {}
      protected override sendCreateResponse(): void {}
    },
  },
  {
    check: /interrupt\(\)/,
    why: 'interrupt() does nothing',
    message: /interrupted|agent_speech_ended/,
    Model: class extends FakeRealtimeModel {
      override interrupt(): void {}
    },
  },
  {
    check: /tool call/,
    why: 'tool calls are ignored',
    message: /function_executed/,
    Model: class extends FakeRealtimeModel {
      protected override handleFunctionCall(_id: string | undefined, _call: RealtimeFunctionCall): void {}
    },
  },
  {
    check: /tool call/,
    why: 'tool outputs never reach the model',
    message: /tool output/,
    Model: class extends FakeRealtimeModel {
      protected override sendFunctionCallOutput(): void {}
    },
  },
  {
    check: /tool call/,
    why: 'a second follow-up is requested',
    message: /exactly one follow-up/,
    Model: class extends FakeRealtimeModel {
      #outputs = 0;
      #extra = false;
      protected override sendFunctionCallOutput(
        ...args: Parameters<FakeRealtimeModel['sendFunctionCallOutput']>
      ): void {
        this.#outputs++;
        super.sendFunctionCallOutput(...args);
      }
      protected override handleResponseDone(
        ...args: Parameters<FakeRealtimeModel['handleResponseDone']>
      ): void {
        super.handleResponseDone(...args);
        if (
          this.#outputs > 0 &&
          !this.#extra &&
          this.sent.filter((s) => s.type === 'create_response').length >= 2
        ) {
          this.#extra = true;
          this.createResponse();
        }
      }
    },
  },
  {
    check: /close\(\)/,
    why: 'second close() throws',
    message: /already closed/,
    Model: class extends FakeRealtimeModel {
      #closed = false;
      override close(): Promise<void> {
        if (this.#closed) return Promise.reject(new Error('already closed'));
        this.#closed = true;
        return super.close();
      }
    },
  },
];

describe('realtimeConformanceChecks fail against broken fakes', () => {
  for (const { check: pattern, why, message, Model } of broken) {
    it(`"${pattern.source}" fails when ${why}`, async () => {
      const checks = realtimeConformanceChecks(setupFor(Model, 800)).filter((c) => pattern.test(c.name));
      expect(checks).toHaveLength(1);
      await expect(checks[0]!.run()).rejects.toThrow(message);
    });
  }
});
