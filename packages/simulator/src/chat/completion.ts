import type { Reply } from './responder.js';
import { deltas, pieces } from './tokens.js';

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

const FINGERPRINT = 'fp_simulator';

/** The non-streaming `chat.completion` object. */
export function completionObject(meta: CompletionMeta, reply: Reply): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.toolCalls.length > 0 && reply.content === '' ? null : reply.content,
    refusal: null,
  };
  if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: reply.finishReason }],
    usage: reply.usage,
    system_fingerprint: FINGERPRINT,
  };
}

/**
 * The streamed `chat.completion.chunk` objects, in order (without `[DONE]`): role chunk, reasoning
 * deltas or silent-thinking empty deltas, content deltas of a few tokens or whole tool calls (or
 * split arguments), the finish chunk, and the usage chunk when asked for.
 */
export function completionChunks(
  meta: CompletionMeta,
  reply: Reply,
  options: { includeUsage: boolean; silentThinking: boolean },
): Array<Record<string, unknown>> {
  const chunk = (
    delta: Record<string, unknown>,
    finishReason: string | null = null,
  ): Record<string, unknown> => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    system_fingerprint: FINGERPRINT,
  });
  const chunks = [chunk({ role: 'assistant', content: '' })];
  if (reply.reasoning !== undefined) {
    for (const piece of deltas(reply.reasoning, 4)) chunks.push(chunk({ reasoning_content: piece }));
  } else if (options.silentThinking) {
    for (let i = 0; i < 2; i++) chunks.push(chunk({ content: '' }));
  }
  if (reply.content.length > 0) {
    for (const piece of deltas(reply.content, 3)) chunks.push(chunk({ content: piece }));
  }
  reply.toolCalls.forEach((call, index) => {
    if (!reply.splitToolArguments) {
      chunks.push(
        chunk({
          tool_calls: [
            {
              index,
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            },
          ],
        }),
      );
      return;
    }
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of pieces(call.arguments, 7)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, reply.finishReason));
  if (options.includeUsage) {
    chunks.push({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      choices: [],
      usage: reply.usage,
      system_fingerprint: FINGERPRINT,
    });
  }
  return chunks;
}
