/** One server-sent event: its `event:` type (null when none was given) and its `data:` lines. */
export interface SSEEvent {
  event: string | null;
  /** The event's `data:` lines joined with "\n". */
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const EMPTY = new Uint8Array(0);

/**
 * An incremental server-sent-events parser that takes the HTTP body's bytes as they arrive, cut
 * anywhere. Lines end with LF, CRLF or CR (a CRLF split over two chunks counts once); a line is
 * only decoded once it is complete, so a UTF-8 character split over two chunks arrives whole.
 * `:` comment lines (keep-alives), `id:` and `retry:` are skipped; the `data:` lines of an event
 * are joined with "\n"; an event is complete at the blank line that ends it (an event the stream
 * ends inside is dropped, as the SSE specification says; one with no `data:` line is not an event).
 */
export class SSEDecoder {
  readonly #text = new TextDecoder();
  /** The bytes of a line not yet ended. */
  #rest: Uint8Array = EMPTY;
  /** The last chunk ended in CR: an LF opening the next one is the rest of that CRLF. */
  #skipLF = false;
  #event: string | null = null;
  /** null until the event has a `data:` line. */
  #data: string | null = null;

  /** Parses `chunk`; returns the events it completed (none, one, or several). */
  push(chunk: Uint8Array): SSEEvent[] {
    let bytes = chunk;
    if (bytes.length === 0) return [];
    if (this.#skipLF) {
      this.#skipLF = false;
      if (bytes[0] === LF) bytes = bytes.subarray(1);
    }
    let owned = false; // whether `bytes` is a copy of ours rather than (a view of) the caller's chunk
    if (this.#rest.length > 0) {
      const joined = new Uint8Array(this.#rest.length + bytes.length);
      joined.set(this.#rest);
      joined.set(bytes, this.#rest.length);
      bytes = joined;
      owned = true;
    }
    // Everything up to the last line end is complete; the rest waits for the next chunk.
    let end = bytes.lastIndexOf(LF);
    if (bytes.indexOf(CR, end + 1) !== -1) end = bytes.lastIndexOf(CR);
    if (end === -1) {
      this.#rest = owned ? bytes : bytes.slice();
      return [];
    }
    if (bytes[end] === CR && end === bytes.length - 1) this.#skipLF = true;
    this.#rest = end + 1 < bytes.length ? bytes.slice(end + 1) : EMPTY;
    let text = this.#text.decode(bytes.subarray(0, end + 1));
    if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
    return this.#lines(text);
  }

  /** `text` is whole lines, each ended by "\n". */
  #lines(text: string): SSEEvent[] {
    const events: SSEEvent[] = [];
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      const next = end + 1;
      if (end === start) {
        // A blank line ends the event.
        if (this.#data !== null) events.push({ event: this.#event, data: this.#data });
        this.#data = null;
        this.#event = null;
      } else if (text.charCodeAt(start) !== COLON) {
        let colon = text.indexOf(':', start);
        if (colon === -1 || colon > end) colon = end;
        let from = colon + 1;
        if (from < end && text.charCodeAt(from) === SPACE) from++;
        const value = from < end ? text.slice(from, end) : '';
        const nameLength = colon - start;
        if (nameLength === 4 && text.startsWith('data', start)) {
          this.#data = this.#data === null ? value : `${this.#data}\n${value}`;
        } else if (nameLength === 5 && text.startsWith('event', start)) {
          this.#event = value;
        }
        // `id`, `retry` and unknown fields are ignored.
      }
      start = next;
    }
    return events;
  }
}
