/** Words that start sentences or requests and are not names, even when capitalised. */
const NOT_NAMES = new Set(
  (
    "i im i'm a an the what whats what's how hows please can could would will should tell is are am do does did " +
    'hi hello hey set get show find give check book call send turn look let make who when where why which and or ' +
    'also then thanks thank ok okay yes no my me we our you your it its in on at for to of from with by this that ' +
    'there here if but so just now today tomorrow tonight weather time use run search fetch lookup look up create ' +
    'add remove delete update list play stop start open close read write say sure well oh'
  ).split(' '),
);

/**
 * Values pulled out of a user message to fill schema fields, consumed in order: quoted strings
 * first, then capitalised phrases ("San Francisco"), and numbers.
 */
export class Hints {
  readonly text: string;
  private readonly strings: string[];
  private readonly numbers: number[];

  constructor(text: string, extraStopWords: readonly string[] = []) {
    this.text = text.trim();
    const stop = new Set([...NOT_NAMES, ...extraStopWords.map((w) => w.toLowerCase())]);
    const quoted = [...this.text.matchAll(/"([^"]+)"|“([^”]+)”|'([^']{2,})'(?!\w)/g)].map(
      (m) => m[1] ?? m[2] ?? m[3] ?? '',
    );
    let rest = this.text;
    for (const q of quoted) rest = rest.replace(q, ' ');
    const phrases: string[] = [];
    for (const m of rest.matchAll(/\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)*/gu)) {
      const words = m[0].split(/\s+/).filter((w) => !stop.has(w.toLowerCase().replace(/['’]s$/, '')));
      if (words.length > 0) phrases.push(words.join(' ').replace(/['’]s$/, ''));
    }
    this.strings = [...quoted.filter((q) => q.length > 0), ...phrases];
    this.numbers = [...this.text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  }

  takeString(): string | undefined {
    return this.strings.shift();
  }

  takeNumber(): number | undefined {
    return this.numbers.shift();
  }

  /** Whether the message mentions `value` as a whole word (case-insensitive). */
  mentions(value: string): boolean {
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'iu').test(this.text);
  }
}
