/** One item of a realtime conversation as the client saw it. */
export type RealtimeConversationEntry =
  | {
      type: 'message';
      role: 'user' | 'assistant';
      /** The server's item id, when it gave one. */
      itemId?: string;
      text: string;
      /** Whether `text` is complete (a final transcript, or typed text). */
      final: boolean;
      /** The assistant was cut off by the user; `text` is what was heard. */
      interrupted: boolean;
    }
  | { type: 'function_call'; callId: string; name: string; arguments: string }
  | { type: 'function_call_output'; callId: string; name: string; output: string; isError: boolean };

export type RealtimeMessageEntry = Extract<RealtimeConversationEntry, { type: 'message' }>;

/**
 * The conversation history kept client-side, in conversation order. It is the source of truth
 * for replay after a reconnect and records what the user actually heard of interrupted replies
 * (xAI documents no server-side truncation). User items are placed when the server announces them
 * (their transcript may arrive later, after the reply has started) so the order stays right.
 */
export class RealtimeConversationLog {
  readonly #entries: RealtimeConversationEntry[] = [];
  readonly #byItemId = new Map<string, RealtimeMessageEntry>();

  get entries(): readonly RealtimeConversationEntry[] {
    return this.#entries;
  }

  /** The message with `itemId`, created (empty, not final) at the end if unknown. */
  message(role: 'user' | 'assistant', itemId: string | undefined): RealtimeMessageEntry {
    if (itemId !== undefined) {
      const known = this.#byItemId.get(itemId);
      if (known) return known;
    }
    const entry: RealtimeMessageEntry = {
      type: 'message',
      role,
      ...(itemId !== undefined ? { itemId } : {}),
      text: '',
      final: false,
      interrupted: false,
    };
    this.#entries.push(entry);
    if (itemId !== undefined) this.#byItemId.set(itemId, entry);
    return entry;
  }

  /** Whether a message with this item id is known. */
  has(itemId: string): boolean {
    return this.#byItemId.has(itemId);
  }

  addUserText(text: string, itemId?: string): RealtimeMessageEntry {
    const entry = this.message('user', itemId);
    entry.text = text;
    entry.final = true;
    return entry;
  }

  addFunctionCall(callId: string, name: string, args: string): void {
    this.#entries.push({ type: 'function_call', callId, name, arguments: args });
  }

  addFunctionCallOutput(callId: string, name: string, output: string, isError: boolean): void {
    this.#entries.push({ type: 'function_call_output', callId, name, output, isError });
  }

  /** Messages with no text (speech without a transcript, replies cut before a word was heard). */
  nonEmpty(): RealtimeConversationEntry[] {
    return this.#entries.filter((entry) => entry.type !== 'message' || entry.text.trim() !== '');
  }

  /** Drops messages with no text. */
  compact(): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (entry.type === 'message' && entry.text.trim() === '') {
        this.#entries.splice(i, 1);
        if (entry.itemId !== undefined) this.#byItemId.delete(entry.itemId);
      }
    }
  }
}
