/**
 * Pulls the value of one top-level string field out of a JSON object while the JSON is still
 * streaming in, so `{"response_to_user":"Hel` can be spoken as "Hel" before the object is complete.
 *
 * A tiny tokenizer tracks nesting, keys and string escapes; chunks may split anywhere, including
 * inside `\n`, `\"` or `\u00e9` escapes and between the halves of a surrogate pair (a dangling high
 * surrogate is held back until its partner arrives, so every returned delta is well-formed text).
 * Only the first occurrence of the field at the top level counts; the same name inside a nested
 * object or inside another string is ignored.
 */
export class JsonStringFieldExtractor {
  readonly field: string;
  readonly #stack: ('{' | '[')[] = [];
  #expectKey = false;
  #inString = false;
  #stringRole: 'key' | 'target' | 'other' = 'other';
  #key = '';
  #lastTopLevelKey: string | undefined;
  /** null: no escape in progress; '': after a backslash; 'u…': collecting \u hex digits. */
  #escape: string | null = null;
  #heldSurrogate = '';
  #text = '';
  #found = false;
  #complete = false;

  constructor(field: string) {
    this.field = field;
  }

  /** All of the field's text decoded so far. */
  get text(): string {
    return this.#text;
  }

  /** The field's string value has started. */
  get found(): boolean {
    return this.#found;
  }

  /** The field's closing quote has been seen. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Feeds the next piece of JSON text; returns the newly decoded part of the field's value. */
  push(chunk: string): string {
    let out = this.#heldSurrogate;
    this.#heldSurrogate = '';
    let i = 0;
    while (i < chunk.length) {
      if (this.#inString) {
        if (this.#escape !== null) {
          const decoded = this.#continueEscape(chunk[i] as string);
          if (decoded !== undefined) out += this.#take(decoded);
          i++;
          continue;
        }
        // Fast path: copy a run of plain characters at once.
        let end = i;
        while (end < chunk.length && chunk[end] !== '"' && chunk[end] !== '\\') end++;
        if (end > i) {
          out += this.#take(chunk.slice(i, end));
          i = end;
          continue;
        }
        if (chunk[i] === '\\') this.#escape = '';
        else this.#endString();
        i++;
        continue;
      }
      this.#structural(chunk[i] as string);
      i++;
    }
    // Hold back a high surrogate whose low half may come in the next chunk.
    if (!this.#complete && out.length > 0) {
      const last = out.charCodeAt(out.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.#heldSurrogate = out.slice(-1);
        out = out.slice(0, -1);
      }
    }
    this.#text += out;
    return out;
  }

  #take(text: string): string {
    if (this.#stringRole === 'key') {
      this.#key += text;
      return '';
    }
    return this.#stringRole === 'target' ? text : '';
  }

  #continueEscape(char: string): string | undefined {
    if (this.#escape === '') {
      if (char === 'u') {
        this.#escape = 'u';
        return undefined;
      }
      this.#escape = null;
      return SIMPLE_ESCAPES[char] ?? char;
    }
    this.#escape += char;
    if ((this.#escape?.length ?? 0) < 5) return undefined;
    const code = Number.parseInt((this.#escape as string).slice(1), 16);
    this.#escape = null;
    return Number.isNaN(code) ? '' : String.fromCharCode(code);
  }

  #endString(): void {
    this.#inString = false;
    if (this.#stringRole === 'key') {
      if (this.#stack.length === 1) this.#lastTopLevelKey = this.#key;
    } else if (this.#stringRole === 'target') {
      this.#complete = true;
    }
  }

  #structural(char: string): void {
    switch (char) {
      case '{':
        this.#stack.push('{');
        this.#expectKey = true;
        return;
      case '[':
        this.#stack.push('[');
        this.#expectKey = false;
        return;
      case '}':
      case ']':
        this.#stack.pop();
        this.#expectKey = false;
        return;
      case ',':
        this.#expectKey = this.#stack.at(-1) === '{';
        return;
      case ':':
        this.#expectKey = false;
        return;
      case '"': {
        this.#inString = true;
        if (this.#stack.at(-1) === '{' && this.#expectKey) {
          this.#stringRole = 'key';
          this.#key = '';
        } else if (
          this.#stack.length === 1 &&
          this.#stack[0] === '{' &&
          this.#lastTopLevelKey === this.field &&
          !this.#found
        ) {
          this.#stringRole = 'target';
          this.#found = true;
        } else {
          this.#stringRole = 'other';
        }
        return;
      }
      default:
        return; // whitespace, numbers, true/false/null
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
