import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../retry/sleep.js';
import type { LLMChunk } from '../../llm/types.js';
import { llmConformanceChecks, type LLMConformanceSetup } from './conformance.js';
import { FakeLLM, type FakeLLMOptions, type FakeLLMRequest, type FakeLLMResponse } from './fake-llm.js';

/** Every FakeLLM made for a setup, so `openRequests` can count their open streams. */
function fakeSetup(make: (options: FakeLLMOptions) => FakeLLM): LLMConformanceSetup & { made: FakeLLM[] } {
  const made: FakeLLM[] = [];
  const create = (options: FakeLLMOptions) => {
    const llm = make({ connectOptions: { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 2000 }, ...options });
    made.push(llm);
    return llm;
  };
  return {
    made,
    createLLM: () => create({}),
    createSlowLLM: () => create({ chunkDelayMs: 40 }),
    openRequests: () => made.reduce((sum, llm) => sum + llm.openStreams, 0),
  };
}

async function failingChecks(
  setup: LLMConformanceSetup,
  only?: (name: string) => boolean,
): Promise<string[]> {
  const failed: string[] = [];
  for (const check of llmConformanceChecks(setup)) {
    if (only && !only(check.name)) continue;
    try {
      await check.run();
    } catch {
      failed.push(check.name);
    }
  }
  return failed;
}

describe('llmConformanceChecks against FakeLLM', () => {
  const setup = fakeSetup((options) => new FakeLLM(options));
  for (const check of llmConformanceChecks(setup)) it(check.name, check.run);

  it('covers the whole contract', () => {
    expect(llmConformanceChecks(setup).map((c) => c.name)).toEqual([
      'streams text for a simple prompt',
      'calls a tool when asked, with parsed arguments and a call id',
      'uses a tool result in the next turn',
      'reports metrics with TTFT, duration and usage',
      'cancelCurrentGeneration stops the stream promptly and leaves nothing running',
      'leaving the loop early closes the request',
      'an already-aborted signal rejects with its reason',
      'aborting the signal mid-stream rejects promptly',
      'rejects bad options with a typed error before any request',
      'streams only response_to_user for a conversational graph',
    ]);
  });
});

/** Loses every tool call. */
class ToolDroppingLLM extends FakeLLM {
  protected override async *play(response: FakeLLMResponse, request: FakeLLMRequest, signal: AbortSignal) {
    for await (const chunk of super.play(response, request, signal)) {
      if (!chunk.toolCalls) yield chunk;
    }
  }
}

/**
 * Downloads its reply in the background without ever looking at the abort signal, like a client
 * that forgets to pass the signal to its HTTP call: the stream ends, the "request" runs on.
 */
class AbortIgnoringLLM extends FakeLLM {
  openDownloads = 0;
  constructor(
    options: FakeLLMOptions,
    private readonly kill: AbortSignal,
  ) {
    super(options);
  }
  protected override async *play(
    response: FakeLLMResponse,
    request: FakeLLMRequest,
    _signal: AbortSignal,
  ): AsyncGenerator<LLMChunk> {
    const buffered: LLMChunk[] = [];
    let finished = false;
    let wake: () => void = () => {};
    this.openDownloads++;
    const download = super.play({ ...response, chunkDelayMs: 0 }, request, this.kill);
    void (async () => {
      try {
        for await (const chunk of download) {
          await sleep(150, this.kill);
          buffered.push(chunk);
          wake();
        }
      } catch {
        // killed at the end of the test
      } finally {
        finished = true;
        this.openDownloads--;
        wake();
      }
    })();
    for (;;) {
      const next = buffered.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
}

/** Streams the structured reply's raw JSON as content. */
class JsonLeakingLLM extends FakeLLM {
  protected override async *play(response: FakeLLMResponse, request: FakeLLMRequest, signal: AbortSignal) {
    if (request.conversationalGraph) {
      yield { content: JSON.stringify({ response_to_user: 'Hi', next_step: 'greet' }) };
      return;
    }
    yield* super.play(response, request, signal);
  }
}

describe('llmConformanceChecks fail against broken fakes', () => {
  const kill = new AbortController();
  afterAll(() => {
    // AbortIgnoringLLM leaves sleeps behind on purpose; end them so no timer leaks.
    kill.abort(new Error('test over'));
  });

  it('an LLM that drops tool calls fails the tool checks', async () => {
    expect(await failingChecks(fakeSetup((o) => new ToolDroppingLLM(o)))).toEqual([
      'calls a tool when asked, with parsed arguments and a call id',
      'uses a tool result in the next turn',
    ]);
  });

  it('an LLM that ignores the tool result fails that check', async () => {
    const respond = (request: FakeLLMRequest): FakeLLMResponse | undefined =>
      request.ctx.items.at(-1)?.type === 'function_call_output' ? { text: 'Done.' } : undefined;
    expect(await failingChecks(fakeSetup((o) => new FakeLLM({ ...o, respond })))).toEqual([
      'uses a tool result in the next turn',
    ]);
  });

  it('an LLM that reports no usage fails the metrics check', async () => {
    const respond = (): FakeLLMResponse => ({ text: 'Hello there.', usage: null });
    const failed = await failingChecks(fakeSetup((o) => new FakeLLM({ ...o, respond })));
    expect(failed).toContain('reports metrics with TTFT, duration and usage');
    expect(failed).not.toContain('streams text for a simple prompt');
  });

  it('an LLM that keeps streaming after an abort fails every cancel check', async () => {
    const setup = fakeSetup((o) => new AbortIgnoringLLM(o, kill.signal));
    setup.openRequests = () =>
      setup.made.reduce((sum, llm) => sum + (llm as AbortIgnoringLLM).openDownloads, 0);
    // Only the checks that stop a stream (the others merely run slowly with this fake).
    const stopping = (name: string) => /cancel|early|mid-stream/.test(name);
    expect(await failingChecks(setup, stopping)).toEqual([
      'cancelCurrentGeneration stops the stream promptly and leaves nothing running',
      'leaving the loop early closes the request',
      'aborting the signal mid-stream rejects promptly',
    ]);
  });

  it('an LLM that streams raw JSON for a graph fails the graph check', async () => {
    expect(await failingChecks(fakeSetup((o) => new JsonLeakingLLM(o)))).toEqual([
      'streams only response_to_user for a conversational graph',
    ]);
  });
});
