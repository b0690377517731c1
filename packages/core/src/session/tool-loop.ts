import { raceAbort } from '../retry/race-abort.js';
import type { Agent } from '../chat/agent.js';
import { ChatContext } from '../chat/chat-context.js';
import { executeToolCall, type ToolCallResult } from '../chat/execute-tool-call.js';
import { APIError } from '../errors/errors.js';
import type { LLM } from '../llm/llm.js';
import type { FunctionCall } from '../llm/types.js';
import type { FunctionExecutedEvent } from './events.js';

export interface ToolLoopRequest {
  llm: LLM;
  agent: Agent;
  /** The session's history: function calls, their outputs and the text said before them are added. */
  chatContext: ChatContext;
  /** Extra instructions for this reply only. */
  instructions?: string;
  /** Most rounds whose tool calls are run; the round after them is asked to answer in words. */
  maxToolRounds: number;
  /** Aborting stops the LLM request and tells running tools to stop. */
  signal: AbortSignal;
  /** A piece of reply text, as it streams. */
  onText(delta: string): void;
  /**
   * A round called tools: its text is complete and was added to the history as the assistant
   * message `messageId` (null when the round said nothing); its tools are about to run.
   */
  onToolRound(messageId: string | null): void;
  onFunctionExecuted(event: FunctionExecutedEvent): void;
  /** A non-fatal problem (the model kept calling tools past the limit). */
  onWarning(error: APIError): void;
}

const CANCELLED_OUTPUT = JSON.stringify({ error: 'The tool call was cancelled: the user interrupted.' });

/** What the LLM sees for a reply: the agent's instructions (plus this reply's), then the history. */
export function llmContext(agent: Agent, history: ChatContext, instructions?: string): ChatContext {
  const ctx = ChatContext.empty();
  const system = [agent.instructions, instructions ?? ''].filter((part) => part.trim() !== '').join('\n\n');
  if (system !== '') ctx.addMessage({ role: 'system', content: system });
  for (const item of history.items) ctx.addItem(item);
  return ctx;
}

/**
 * Runs the LLM until it answers without calling tools: streams each round's text out, runs the
 * round's tool calls with `executeToolCall` (never throws; errors become error outputs), adds calls
 * and outputs to the history, and asks again. After `maxToolRounds` rounds with tool calls, one last
 * round is asked to answer (`toolChoice: "none"`); tool calls it still makes are not run. Rejects
 * with the LLM's error, or with the signal's reason when aborted. The last round's text is left
 * to the caller to record (it knows what was heard of it).
 */
export async function runToolLoop(request: ToolLoopRequest): Promise<void> {
  const { llm, agent, chatContext, signal } = request;
  const tools = agent.tools;
  for (let round = 0; ; round++) {
    signal.throwIfAborted();
    const mayCallTools = tools.length > 0 && round < request.maxToolRounds;
    const stream = llm.chat(llmContext(agent, chatContext, request.instructions), {
      tools,
      ...(tools.length > 0 && !mayCallTools ? { toolChoice: 'none' as const } : {}),
      signal,
    });
    let text = '';
    const calls: FunctionCall[] = [];
    for await (const chunk of stream) {
      if (chunk.content !== '') {
        text += chunk.content;
        request.onText(chunk.content);
      }
      calls.push(...chunk.toolCalls);
    }
    signal.throwIfAborted();
    if (calls.length === 0) return;
    if (!mayCallTools) {
      request.onWarning(
        new APIError(
          `the model still called tools (${calls.map((c) => c.name).join(', ')}) after ${request.maxToolRounds} ` +
            'tool rounds (maxToolRounds); those calls were not run',
          { retryable: false },
        ),
      );
      return;
    }
    const spoken = text.trim();
    const message = spoken === '' ? null : chatContext.addMessage({ role: 'assistant', content: spoken });
    request.onToolRound(message?.id ?? null);
    await runCalls(request, calls);
  }
}

async function runCalls(request: ToolLoopRequest, calls: readonly FunctionCall[]): Promise<void> {
  const { chatContext, signal } = request;
  for (const call of calls) {
    chatContext.addFunctionCall({ callId: call.callId, name: call.name, arguments: call.rawArguments });
  }
  const answered = new Set<string>();
  const record = (call: FunctionCall, result: ToolCallResult, executed: boolean) => {
    if (answered.has(call.callId)) return;
    answered.add(call.callId);
    chatContext.addFunctionCallOutput(result);
    if (!executed) return;
    request.onFunctionExecuted({
      name: call.name,
      callId: call.callId,
      arguments: call.rawArguments,
      output: result.output,
      isError: result.isError,
    });
  };
  try {
    // Tools run concurrently; outputs are recorded in call order.
    const running = calls.map((call) =>
      executeToolCall(
        request.agent.tools,
        { callId: call.callId, name: call.name, arguments: call.rawArguments },
        signal,
      ),
    );
    for (const [index, call] of calls.entries()) {
      record(call, await raceAbort(running[index] as Promise<ToolCallResult>, signal), true);
    }
  } finally {
    // Interrupted while tools ran: every call still gets an output, so the history stays valid.
    for (const call of calls) {
      const cancelled = { callId: call.callId, name: call.name, output: CANCELLED_OUTPUT, isError: true };
      record(call, cancelled, false);
    }
  }
}
