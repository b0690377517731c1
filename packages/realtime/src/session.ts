import type { Agent, RealtimeConversationEntry } from '@x/core';
import type { ResolvedXAIRealtimeConfig } from './config.js';
import type { ClientEvent, WireItem, WireSession, WireTool } from './protocol.js';
import { wireAudioFormat } from './wire-audio.js';

/**
 * The `session.update` for a config and agent: every config field goes on the wire. The agent's
 * instructions take precedence over `config.instructions`; its tools come first (flat function
 * tools), then xAI's server-side tools.
 */
export function buildSessionUpdate(config: ResolvedXAIRealtimeConfig, agent: Agent | undefined): ClientEvent {
  const tools: WireTool[] = (agent?.tools ?? []).map((tool) => {
    const wire = tool.toRealtimeTool();
    return { type: 'function', name: wire.name, description: wire.description, parameters: wire.parameters };
  });
  if (config.enableWebSearch) tools.push({ type: 'web_search' });
  if (config.enableXSearch || config.allowedXHandles) {
    tools.push(
      config.allowedXHandles
        ? { type: 'x_search', allowed_x_handles: config.allowedXHandles }
        : { type: 'x_search' },
    );
  }
  if (config.collectionId !== undefined) {
    tools.push({
      type: 'file_search',
      vector_store_ids: [config.collectionId],
      max_num_results: config.maxNumResults,
    });
  }
  const format = wireAudioFormat(config.audioFormat);
  const session: WireSession = {
    instructions: agent?.instructions || config.instructions || '',
    voice: config.voice,
    turn_detection: config.turnDetection
      ? {
          type: 'server_vad',
          threshold: config.turnDetection.threshold,
          prefix_padding_ms: config.turnDetection.prefixPaddingMs,
          silence_duration_ms: config.turnDetection.silenceDurationMs,
        }
      : null,
    audio: { input: { format }, output: { format } },
    tools,
  };
  return { type: 'session.update', session };
}

/**
 * `response.create`. xAI documents no `modalities` field in `session.update`, so modalities go with
 * each requested response, and only when they differ from the default (text + audio).
 * `request.instructions` (per-reply instructions) go in `response.instructions`.
 */
export function buildResponseCreate(
  config: ResolvedXAIRealtimeConfig,
  request: { instructions?: string } = {},
): ClientEvent {
  const response: { modalities?: string[]; instructions?: string } = {};
  if (config.modalities.length !== 2) response.modalities = config.modalities;
  if (request.instructions !== undefined) response.instructions = request.instructions;
  return Object.keys(response).length === 0
    ? { type: 'response.create' }
    : { type: 'response.create', response };
}

/**
 * History items for a new session after a reconnect. Messages become text items (user:
 * `input_text`, assistant: `output_text`); function calls and their outputs are restored as
 * `function_call` / `function_call_output` items so the model sees what its tools returned.
 * Restoring assistant and function-call items is not documented by xAI [unconfirmed]; the
 * simulator accepts them.
 */
export function historyItems(entries: readonly RealtimeConversationEntry[]): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (const entry of entries) {
    let item: WireItem;
    if (entry.type === 'message') {
      if (entry.text.trim() === '') continue;
      item =
        entry.role === 'user'
          ? { type: 'message', role: 'user', content: [{ type: 'input_text', text: entry.text }] }
          : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: entry.text }] };
    } else if (entry.type === 'function_call') {
      item = { type: 'function_call', call_id: entry.callId, name: entry.name, arguments: entry.arguments };
    } else {
      item = { type: 'function_call_output', call_id: entry.callId, output: entry.output };
    }
    events.push({ type: 'conversation.item.create', item });
  }
  return events;
}
