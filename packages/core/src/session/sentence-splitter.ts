import { ConfigurationError } from '../errors/errors.js';
import { findSpeechTags, type SpeechTagOptions } from '../tts/speech-tags.js';

export interface SentenceSplitterOptions {
  /** A sentence end closes a chunk only once the chunk has this many characters (default 8). */
  minSentenceChars?: number;
  /**
   * Text without a sentence end is cut at the last clause mark (`,` `;` `:` dash) or, failing
   * that, the last space once it grows past this many characters (default 200).
   */
  maxSentenceChars?: number;
  /** More speech tags to keep whole (see `SpeechTagChunker`). */
  speechTags?: SpeechTagOptions;
}

const SENTENCE_END = new Set(['.', '!', '?', '…']);
/** Ends that need no space after them (CJK full stops). */
const CJK_END = new Set(['。', '！', '？']);
/** Characters that stay with the sentence they close: more end marks, quotes, brackets. */
const CLOSERS = new Set(['.', '!', '?', '…', '"', "'", '”', '’', ')', ']', '»', '。', '！', '？']);
const CLAUSE_MARKS = new Set([',', ';', ':', '—', '–']);
/** Words whose trailing period does not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'e.g',
  'i.e',
  'no',
  'fig',
  'approx',
  'mt',
]);

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * Cuts streamed LLM text into sentences (or clauses of very long sentences) for speech synthesis,
 * so the first audio can start after the first sentence instead of after the whole reply.
 *
 * Speech tags are never split, and no cut falls between a wrapping tag and its closing tag
 * (`<whisper>…</whisper>` stays in one chunk), so each chunk can be synthesised on its own.
 * Decimal numbers (`3.5`), list numbers (`1. `), initials, common abbreviations (`Dr. `) and an
 * end mark followed by a lower-case word do not end a sentence. Chunks are trimmed; whitespace between them is dropped.
 */
export class SentenceSplitter {
  readonly #minChars: number;
  readonly #maxChars: number;
  readonly #tags: SpeechTagOptions;
  #buffer = '';

  constructor(options: SentenceSplitterOptions = {}) {
    this.#minChars = whole('minSentenceChars', options.minSentenceChars ?? 8, 1);
    this.#maxChars = whole('maxSentenceChars', options.maxSentenceChars ?? 200, this.#minChars);
    this.#tags = options.speechTags ?? {};
  }

  /** Text received but not yet returned. */
  get pending(): string {
    return this.#buffer;
  }

  /** Adds a delta; returns the sentences it completed (possibly none). */
  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    for (;;) {
      const cut = this.#findCut(this.#buffer);
      if (cut < 0) break;
      const sentence = this.#buffer.slice(0, cut).trim();
      this.#buffer = this.#buffer.slice(cut).trimStart();
      if (sentence !== '') out.push(sentence);
    }
    return out;
  }

  /** Returns the rest (end of the text) as one last chunk, if any. */
  flush(): string[] {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest === '' ? [] : [rest];
  }

  /** Index just past the next chunk in `text`, or -1 when more text is needed to decide. */
  #findCut(text: string): number {
    const spans = findSpeechTags(text, this.#tags);
    let nextSpan = 0;
    let wrapDepth = 0;
    let lastClause = -1;
    let lastSpace = -1;
    for (let i = 0; i < text.length; i++) {
      const span = spans[nextSpan];
      if (span && span[0] === i) {
        nextSpan++;
        const tag = text.slice(span[0], span[1]);
        if (tag.startsWith('</')) wrapDepth = Math.max(0, wrapDepth - 1);
        else if (tag.startsWith('<')) wrapDepth++;
        i = span[1] - 1;
        continue;
      }
      if (wrapDepth > 0) continue;
      const c = text[i] as string;
      if (c === '\n') {
        if (text.slice(0, i).trim() !== '') return i + 1;
        continue;
      }
      if (SENTENCE_END.has(c) || CJK_END.has(c)) {
        let end = i + 1;
        while (end < text.length && CLOSERS.has(text[end] as string)) end++;
        if (end >= text.length) break; // what follows decides
        const followedBySpace = isSpace(text[end]);
        if (followedBySpace || CJK_END.has(text[end - 1] as string)) {
          // The next word decides when it is not here yet: a lower-case word continues the sentence.
          const next = text.slice(end).search(/\S/);
          if (next < 0) break;
          if (this.#endsSentence(text, i, end, text[end + next] as string)) return end;
        }
        i = end - 1;
        continue;
      }
      if (isSpace(c)) {
        if (i >= this.#minChars) lastSpace = i;
        if (CLAUSE_MARKS.has(text[i - 1] as string) && i >= this.#minChars) lastClause = i;
      }
      if (i >= this.#maxChars) {
        const cut = lastClause > 0 ? lastClause : lastSpace;
        if (cut > 0) return cut;
      }
    }
    return -1;
  }

  /** Whether the end mark at `mark` (chunk ending at `end`, `next` the next word's first letter) closes a sentence. */
  #endsSentence(text: string, mark: number, end: number, next: string): boolean {
    if (text.slice(0, end).trim().length < this.#minChars) return false;
    if (/\p{Ll}/u.test(next)) return false; // '"Really?" she asked.'
    if (text[mark] !== '.') return true;
    let start = mark;
    while (start > 0 && !isSpace(text[start - 1])) start--;
    const word = text.slice(start, mark).replace(/^["'“‘(]+/, '');
    if (/^\d+$/.test(word)) {
      // A list number ("Steps: 1. Mix…") starts a line or follows a colon; "I am 42." ends a sentence.
      const before = text.slice(0, start).trimEnd();
      if (before === '' || before.endsWith(':')) return false;
    }
    if (/^\p{L}$/u.test(word)) return false; // an initial, "J."
    return !ABBREVIATIONS.has(word.toLowerCase());
  }
}

function whole(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(option, value, `an integer ≥ ${min}`);
  }
  return value;
}
