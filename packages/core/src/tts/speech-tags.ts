/** xAI's inline speech tags, written `[name]`. */
export const INLINE_SPEECH_TAGS = [
  'pause',
  'long-pause',
  'hum-tune',
  'laugh',
  'chuckle',
  'giggle',
  'cry',
  'tsk',
  'tongue-click',
  'lip-smack',
  'breath',
  'inhale',
  'exhale',
  'sigh',
] as const;

/** xAI's wrapping speech tags, written `<name>…</name>`. */
export const WRAPPING_SPEECH_TAGS = [
  'soft',
  'whisper',
  'loud',
  'build-intensity',
  'decrease-intensity',
  'higher-pitch',
  'lower-pitch',
  'slow',
  'fast',
  'sing-song',
  'singing',
  'emphasis',
  'laugh-speak',
] as const;

export interface SpeechTagOptions {
  /** More inline tag names (`[name]`) to keep whole, e.g. ones a provider adds later. */
  extraInlineTags?: readonly string[];
  /** More wrapping tag names (`<name>`, `</name>`) to keep whole. */
  extraWrappingTags?: readonly string[];
}

/** The written forms of a tag set, computed once per distinct set (see `compiledTags`). */
interface CompiledTags {
  /** Every form, lower case: `[pause]`, `<soft>`, `</soft>`, … */
  readonly forms: readonly string[];
  /** Length of the longest form. */
  readonly longest: number;
}

function compile(options: SpeechTagOptions): CompiledTags {
  const inline = [...INLINE_SPEECH_TAGS, ...(options.extraInlineTags ?? [])];
  const wrapping = [...WRAPPING_SPEECH_TAGS, ...(options.extraWrappingTags ?? [])];
  const forms = [
    ...inline.map((name) => `[${name.toLowerCase()}]`),
    ...wrapping.flatMap((name) => [`<${name.toLowerCase()}>`, `</${name.toLowerCase()}>`]),
  ];
  return Object.freeze({
    forms: Object.freeze(forms),
    longest: forms.reduce((max, form) => Math.max(max, form.length), 0),
  });
}

const DEFAULT_TAGS = compile({});
/** Sets with extra tags, by their names (so a list changed in place is not served stale). */
const compiledCache = new Map<string, CompiledTags>();
const COMPILED_CACHE_LIMIT = 32;

/**
 * The forms of `options`' tag set, built once: every chunker and every `findSpeechTags` call used to
 * rebuild ~40 strings. The default set is shared; sets with extra tags are cached by their names.
 */
function compiledTags(options: SpeechTagOptions): CompiledTags {
  const inline = options.extraInlineTags;
  const wrapping = options.extraWrappingTags;
  if ((inline === undefined || inline.length === 0) && (wrapping === undefined || wrapping.length === 0)) {
    return DEFAULT_TAGS;
  }
  const key = `${(inline ?? []).join('\u0000')}\u0001${(wrapping ?? []).join('\u0000')}`;
  let compiled = compiledCache.get(key);
  if (compiled === undefined) {
    compiled = compile(options);
    if (compiledCache.size >= COMPILED_CACHE_LIMIT) compiledCache.clear();
    compiledCache.set(key, compiled);
  }
  return compiled;
}

/** Every written form of the tags: `[pause]`, `<soft>`, `</soft>`, … (lower case). */
export function speechTagForms(options: SpeechTagOptions = {}): string[] {
  return [...compiledTags(options).forms];
}

/**
 * Whether `text` has `form` (lower case) at `at`, ignoring case. Compares unit by unit on the
 * original text: lower-casing the whole text first would shift indexes after characters whose
 * lower case is longer ('İ' → 'i̇').
 */
function hasFormAt(text: string, form: string, at: number): boolean {
  if (at + form.length > text.length) return false;
  for (let k = 0; k < form.length; k++) {
    const a = text.charCodeAt(at + k);
    const b = form.charCodeAt(k);
    if (a === b || (a >= 65 && a <= 90 && a + 32 === b)) continue;
    if (a < 128 || text[at + k]!.toLowerCase() !== form[k]) return false;
  }
  return true;
}

/** Finds every tag in `text` as [start, end) character spans (case-insensitive). */
export function findSpeechTags(text: string, options: SpeechTagOptions = {}): Array<[number, number]> {
  const { forms } = compiledTags(options);
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '[' && c !== '<') continue;
    for (const form of forms) {
      if (hasFormAt(text, form, i)) {
        spans.push([i, i + form.length]);
        i += form.length - 1;
        break;
      }
    }
  }
  return spans;
}

/** Removes every speech tag from `text` (what a listener would not hear as words). */
export function stripSpeechTags(text: string, options: SpeechTagOptions = {}): string {
  let out = '';
  let from = 0;
  for (const [start, end] of findSpeechTags(text, options)) {
    out += text.slice(from, start);
    from = end;
  }
  return out + text.slice(from);
}

/**
 * Cuts streamed text (LLM deltas) into chunks that never split a speech tag. Text is passed on as
 * soon as it is safe; only a tail that could still become a tag (`[pau`, `<whisp`, `</sof`, a lone
 * `<`) is held back, until the next delta completes it or shows it is not a tag, or `flush()`.
 * Nothing is dropped or reordered: the chunks always concatenate to the input.
 */
export class SpeechTagChunker {
  readonly #tags: CompiledTags;
  #held = '';

  constructor(options: SpeechTagOptions = {}) {
    this.#tags = compiledTags(options);
  }

  /** Text held back because it may be the start of a tag. */
  get pending(): string {
    return this.#held;
  }

  /** Adds a delta; returns the text that is safe to send now (possibly empty). */
  push(delta: string): string {
    const text = this.#held + delta;
    const cut = this.#holdFrom(text);
    this.#held = text.slice(cut);
    return text.slice(0, cut);
  }

  /** Returns everything held back (end of the utterance). */
  flush(): string {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }

  /** Index from which `text` must be held: the start of an unfinished possible tag, or its length. */
  #holdFrom(text: string): number {
    // A possible tag is unfinished only if it starts within the longest tag's length of the end.
    const { forms, longest } = this.#tags;
    const from = Math.max(0, text.length - longest + 1);
    for (let i = from; i < text.length; i++) {
      const c = text[i];
      if (c !== '[' && c !== '<') continue;
      const tail = text.slice(i).toLowerCase();
      if (forms.some((form) => form.length > tail.length && form.startsWith(tail))) return i;
    }
    return text.length;
  }
}
