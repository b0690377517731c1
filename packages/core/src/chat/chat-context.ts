import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '../errors/errors.js';
import type { OpenAIChatMessage, OpenAIContentPart, OpenAIToolCall } from './openai-types.js';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';

/** Message content parts: text, and images for models that accept them. */
export type ContentPart = OpenAIContentPart;

interface ChatItemBase {
  readonly id: string;
  /** `Date.now()` when the item was added. */
  readonly createdAt: number;
}

export interface ChatMessage extends ChatItemBase {
  readonly type: 'message';
  readonly role: ChatRole;
  readonly content: string | readonly ContentPart[];
  /**
   * For assistant messages: the reply was cut off (barge-in) and `content` holds only what the user
   * actually heard.
   */
  readonly interrupted: boolean;
}

export interface FunctionCallItem extends ChatItemBase {
  readonly type: 'function_call';
  readonly callId: string;
  readonly name: string;
  /** The raw JSON arguments string, as the model produced it. */
  readonly arguments: string;
}

export interface FunctionCallOutputItem extends ChatItemBase {
  readonly type: 'function_call_output';
  readonly callId: string;
  readonly name: string;
  /** JSON text handed back to the model. */
  readonly output: string;
  readonly isError: boolean;
}

export type ChatItem = ChatMessage | FunctionCallItem | FunctionCallOutputItem;

export interface AddMessageOptions {
  role: ChatRole;
  content: string | readonly ContentPart[];
  id?: string;
  interrupted?: boolean;
  createdAt?: number;
}

export interface AddFunctionCallOptions {
  callId: string;
  name: string;
  arguments: string;
  id?: string;
  createdAt?: number;
}

export interface AddFunctionCallOutputOptions {
  callId: string;
  name: string;
  output: string;
  isError: boolean;
  id?: string;
  createdAt?: number;
}

export interface ToOpenAIMessagesOptions {
  /**
   * How `developer` messages go on the wire: as `developer` (OpenAI's newer role, the default) or
   * as `system` for servers that only know `system`.
   */
  developerRole?: 'developer' | 'system';
  /** Keep image parts in user messages (default true); false turns them into nothing. */
  images?: boolean;
}

const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant'];

export function newItemId(prefix = 'item'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** The text of a message: its string content, or its text parts joined. */
export function messageText(message: Pick<ChatMessage, 'content'>): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

/**
 * The conversation an LLM sees: an ordered list of messages, function calls and function outputs.
 * Items are immutable; methods that change the context replace items.
 */
export class ChatContext {
  #items: ChatItem[];

  constructor(items: readonly ChatItem[] = []) {
    this.#items = [...items];
  }

  static empty(): ChatContext {
    return new ChatContext();
  }

  get items(): readonly ChatItem[] {
    return this.#items;
  }

  addMessage(options: AddMessageOptions): ChatMessage {
    if (!ROLES.includes(options.role)) {
      throw new ConfigurationError('role', options.role, `one of ${ROLES.map((r) => `"${r}"`).join(', ')}`);
    }
    if (typeof options.content !== 'string' && !Array.isArray(options.content)) {
      throw new ConfigurationError('content', options.content, 'a string or an array of content parts');
    }
    const item: ChatMessage = {
      type: 'message',
      id: options.id ?? newItemId('msg'),
      createdAt: options.createdAt ?? Date.now(),
      role: options.role,
      content: typeof options.content === 'string' ? options.content : [...options.content],
      interrupted: options.interrupted ?? false,
    };
    this.#items.push(item);
    return item;
  }

  addFunctionCall(options: AddFunctionCallOptions): FunctionCallItem {
    const item: FunctionCallItem = {
      type: 'function_call',
      id: options.id ?? newItemId('fc'),
      createdAt: options.createdAt ?? Date.now(),
      callId: options.callId,
      name: options.name,
      arguments: options.arguments,
    };
    this.#items.push(item);
    return item;
  }

  addFunctionCallOutput(options: AddFunctionCallOutputOptions): FunctionCallOutputItem {
    const item: FunctionCallOutputItem = {
      type: 'function_call_output',
      id: options.id ?? newItemId('fco'),
      createdAt: options.createdAt ?? Date.now(),
      callId: options.callId,
      name: options.name,
      output: options.output,
      isError: options.isError,
    };
    this.#items.push(item);
    return item;
  }

  /** Appends an existing item (e.g. one copied from another context). */
  addItem(item: ChatItem): ChatItem {
    this.#items.push(item);
    return item;
  }

  getItem(id: string): ChatItem | undefined {
    return this.#items.find((item) => item.id === id);
  }

  /** Removes the item with `id`; returns whether there was one. */
  removeItem(id: string): boolean {
    const index = this.#items.findIndex((item) => item.id === id);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /**
   * Marks an assistant message as interrupted, optionally replacing its content with what the user
   * actually heard. Returns the new item, or undefined when there is no such message.
   */
  markInterrupted(id: string, heardContent?: string): ChatMessage | undefined {
    const index = this.#items.findIndex((item) => item.id === id);
    const item = this.#items[index];
    if (item?.type !== 'message') return undefined;
    const updated: ChatMessage = {
      ...item,
      content: heardContent ?? item.content,
      interrupted: true,
    };
    this.#items[index] = updated;
    return updated;
  }

  /** A new context with the same items (items are immutable, so they are shared safely). */
  copy(): ChatContext {
    return new ChatContext(this.#items);
  }

  /**
   * Keeps at most `maxItems` items: the leading system/developer message (if the context starts
   * with one) plus the newest items. Outputs whose call was cut, and calls at the start whose
   * output was cut, are dropped too, so the history never holds a tool output without its call
   * nor begins with an unanswered call. Changes this context in place and returns it.
   */
  truncate(maxItems: number): ChatContext {
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw new ConfigurationError('maxItems', maxItems, 'an integer ≥ 1');
    }
    if (this.#items.length <= maxItems) return this;
    const first = this.#items[0];
    const keepInstructions =
      first?.type === 'message' && (first.role === 'system' || first.role === 'developer')
        ? first
        : undefined;
    const tailSize = keepInstructions ? maxItems - 1 : maxItems;
    let tail = tailSize > 0 ? this.#items.slice(-tailSize) : [];
    if (keepInstructions) tail = tail.filter((item) => item !== keepInstructions);
    const keptOutputs = new Set(tail.filter((i) => i.type === 'function_call_output').map((i) => i.callId));
    while (tail.length > 0) {
      const head = tail[0] as ChatItem;
      const orphan =
        head.type === 'function_call_output' ||
        (head.type === 'function_call' && !keptOutputs.has(head.callId));
      if (!orphan) break;
      tail.shift();
    }
    const keptCalls = new Set(tail.filter((i) => i.type === 'function_call').map((i) => i.callId));
    tail = tail.filter((item) => item.type !== 'function_call_output' || keptCalls.has(item.callId));
    this.#items = keepInstructions ? [keepInstructions, ...tail] : tail;
    return this;
  }

  /**
   * Chat-completions messages. Consecutive function calls become one assistant message with
   * `tool_calls` (assistant text right before them is folded into it), followed by their outputs
   * as `role:"tool"` messages. A call without an output, or an output without its call, is left
   * out: the API rejects both.
   */
  toOpenAIMessages(options: ToOpenAIMessagesOptions = {}): OpenAIChatMessage[] {
    const developerRole = options.developerRole ?? 'developer';
    const keepImages = options.images ?? true;
    const outputs = new Map<string, FunctionCallOutputItem>();
    for (const item of this.#items) {
      if (item.type === 'function_call_output') outputs.set(item.callId, item);
    }

    const messages: OpenAIChatMessage[] = [];
    let group: { message: Extract<OpenAIChatMessage, { role: 'assistant' }>; callIds: string[] } | undefined;
    const closeGroup = () => {
      if (!group) return;
      for (const callId of group.callIds) {
        const output = outputs.get(callId);
        if (output) messages.push({ role: 'tool', tool_call_id: callId, content: output.output });
      }
      group = undefined;
    };

    for (const item of this.#items) {
      if (item.type === 'function_call') {
        if (!outputs.has(item.callId)) continue;
        const toolCall: OpenAIToolCall = {
          id: item.callId,
          type: 'function',
          function: { name: item.name, arguments: item.arguments },
        };
        if (!group) {
          const last = messages.at(-1);
          if (last?.role === 'assistant' && last.tool_calls === undefined) {
            last.tool_calls = [];
            group = { message: last, callIds: [] };
          } else {
            const message: Extract<OpenAIChatMessage, { role: 'assistant' }> = {
              role: 'assistant',
              tool_calls: [],
            };
            messages.push(message);
            group = { message, callIds: [] };
          }
        }
        group.message.tool_calls?.push(toolCall);
        group.callIds.push(item.callId);
        continue;
      }
      if (item.type === 'function_call_output') {
        // Outputs go right after their call group; reaching one closes the group.
        if (group?.callIds.includes(item.callId)) closeGroup();
        continue;
      }
      closeGroup();
      messages.push(toOpenAIMessage(item, developerRole, keepImages));
    }
    closeGroup();
    return messages;
  }
}

function toOpenAIMessage(
  item: ChatMessage,
  developerRole: 'developer' | 'system',
  keepImages: boolean,
): OpenAIChatMessage {
  switch (item.role) {
    case 'system':
      return { role: 'system', content: messageText(item) };
    case 'developer':
      return { role: developerRole, content: messageText(item) };
    case 'assistant':
      return { role: 'assistant', content: messageText(item) };
    case 'user': {
      if (typeof item.content === 'string') return { role: 'user', content: item.content };
      const parts = item.content
        .filter((part) => keepImages || part.type === 'text')
        .map((part) => structuredClone(part) as OpenAIContentPart);
      if (parts.every((part) => part.type === 'text')) return { role: 'user', content: messageText(item) };
      return { role: 'user', content: parts };
    }
  }
}
