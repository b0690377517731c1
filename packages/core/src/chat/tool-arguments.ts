import { isPlainObject } from './json-schema.js';

export type ParsedToolArguments = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/**
 * Parses a model's raw tool-call arguments. An empty string means "no arguments" (`{}`); anything
 * that is not a JSON object is an error, described so the model can correct itself.
 */
export function parseToolArguments(raw: string): ParsedToolArguments {
  const text = raw.trim();
  if (text === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `arguments are not valid JSON (${reason}): ${preview(text)}` };
  }
  if (!isPlainObject(value)) {
    return { ok: false, error: `arguments must be a JSON object, got ${preview(text)}` };
  }
  return { ok: true, value };
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
