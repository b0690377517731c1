/**
 * A crude, deterministic tokenizer: a token is a word or one punctuation mark, with the whitespace
 * before it. Joining the tokens gives back the text (trailing whitespace goes with the last one).
 */
export function tokenize(text: string): string[] {
  const tokens = text.match(/\s*(?:[\p{L}\p{N}_'’]+|[^\s\p{L}\p{N}_'’])/gu) ?? [];
  const joined = tokens.join('');
  if (joined.length < text.length) {
    if (tokens.length === 0) return text.length > 0 ? [text] : [];
    tokens[tokens.length - 1] += text.slice(joined.length);
  }
  return tokens;
}

export function countTokens(text: string): number {
  return (text.match(/[\p{L}\p{N}_'’]+|[^\s\p{L}\p{N}_'’]/gu) ?? []).length;
}

/** Groups tokens into streaming deltas of `size` tokens each. */
export function deltas(text: string, size = 3): string[] {
  const tokens = tokenize(text);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += size) out.push(tokens.slice(i, i + size).join(''));
  return out;
}

/** Splits `text` into pieces of at most `size` characters. */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}
