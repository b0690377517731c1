import type { FunctionSessionTool, SessionTool } from './protocol.js';

/**
 * The simulator's deterministic "model": what a response says or calls, from what the user said,
 * the configured tools and the tool outputs received. Rules, in order:
 * 1. tool outputs arrived since the last response → a sentence built from them
 *    (`get_weather {"city":"Paris"}` → `"sunny"` gives "The weather in Paris is sunny.");
 * 2. the user's speech was not recognised → "Sorry, I did not catch that.";
 * 3. the user's words match a function tool (a word of its name, or a keyword of its description)
 *    → a call of that function with arguments taken from the words;
 * 4. the user asks to search and a server-side search tool is configured → a canned result naming
 *    the tool (x_search: "x posts", "tweets", "twitter"; file_search: "documents", "files",
 *    "collection"; web_search: "search", "news", "web", "latest");
 * 5. any other user words → "You said: <words>.";
 * 6. no new input: `response.create {response:{instructions:"Say: <text>"}}` → "<text>", else a greeting.
 */

export type ReplyPlan =
  | { kind: 'audio'; text: string }
  | { kind: 'function_call'; name: string; arguments: string };

export interface ToolResult {
  name: string;
  arguments: string;
  output: string;
}

export interface ReplyInput {
  /** New user text since the last response, if any (already the unrecognised marker if so). */
  userText: string | null;
  userTextUnrecognized: boolean;
  toolResults: readonly ToolResult[];
  tools: readonly SessionTool[];
  responseInstructions?: string;
}

export const GREETING = 'Hello, how can I help you today?';
export const NOT_UNDERSTOOD = 'Sorry, I did not catch that.';

const NAME_FILLER = new Set([
  'get',
  'set',
  'fetch',
  'lookup',
  'look',
  'up',
  'check',
  'do',
  'make',
  'find',
  'call',
  'run',
  'query',
  'tool',
  'function',
  'current',
  'info',
  'data',
  'the',
  'a',
  'an',
  'to',
  'of',
  'for',
  'and',
  'or',
  'by',
  'with',
  'in',
  'on',
  'my',
  'is',
]);

const DESCRIPTION_STOPWORDS = new Set([
  'about',
  'after',
  'also',
  'been',
  'before',
  'call',
  'calls',
  'could',
  'current',
  'data',
  'does',
  'each',
  'from',
  'function',
  'gets',
  'given',
  'have',
  'information',
  'into',
  'just',
  'like',
  'more',
  'most',
  'only',
  'other',
  'over',
  'please',
  'provide',
  'provides',
  'return',
  'returns',
  'said',
  'says',
  'should',
  'some',
  'specified',
  'such',
  'than',
  'that',
  'their',
  'them',
  'then',
  'there',
  'these',
  'they',
  'this',
  'tool',
  'used',
  'user',
  'uses',
  'using',
  'value',
  'values',
  'were',
  'what',
  'when',
  'where',
  'which',
  'will',
  'with',
  'would',
  'your',
  'asks',
  'wants',
  'want',
  'know',
  'tell',
]);

const LOCATION_PROPERTY = /city|location|place|country|town|destination|region|area|address/i;
const PREPOSITIONS = new Set(['in', 'for', 'at', 'to', 'near', 'about', 'from']);
const TRAILING_FILLER = new Set(['today', 'now', 'please', 'tomorrow', 'tonight', 'right', 'currently']);
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0 && !NAME_FILLER.has(w));
}

function sameWord(spoken: string, keyword: string): boolean {
  return (
    spoken === keyword || spoken === `${keyword}s` || spoken === `${keyword}es` || `${spoken}s` === keyword
  );
}

function toolKeywords(tool: FunctionSessionTool): string[] {
  const fromName = nameWords(tool.name);
  const fromDescription = words(tool.description ?? '').filter(
    (w) => w.length >= 4 && !DESCRIPTION_STOPWORDS.has(w) && !/^\d+$/.test(w),
  );
  return [...new Set([...fromName, ...fromDescription])];
}

/** The function tool the words ask for: most keyword hits, first declared on a tie; none → undefined. */
export function matchFunctionTool(
  text: string,
  tools: readonly SessionTool[],
): FunctionSessionTool | undefined {
  const spoken = words(text);
  let best: FunctionSessionTool | undefined;
  let bestScore = 0;
  for (const tool of tools) {
    if (tool.type !== 'function') continue;
    const score = toolKeywords(tool).filter((k) => spoken.some((w) => sameWord(w, k))).length;
    if (score > bestScore) {
      best = tool;
      bestScore = score;
    }
  }
  return best;
}

function capitalize(word: string): string {
  return word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1);
}

/** The words after the last preposition ("weather in paris today" → "Paris"). */
function prepositionalPhrase(text: string): string | undefined {
  const spoken = words(text);
  for (let i = spoken.length - 2; i >= 0; i--) {
    if (!PREPOSITIONS.has(spoken[i]!)) continue;
    const phrase = spoken.slice(i + 1, i + 4);
    while (phrase.length > 0 && TRAILING_FILLER.has(phrase[phrase.length - 1]!)) phrase.pop();
    if (phrase.length > 0) return phrase.map(capitalize).join(' ');
  }
  return undefined;
}

function stripEndPunctuation(text: string): string {
  return text.trim().replace(/[\s.!?,;:]+$/, '');
}

function argumentValue(property: string, schema: unknown, text: string): unknown {
  const spec = (typeof schema === 'object' && schema !== null ? schema : {}) as Record<string, unknown>;
  if (Array.isArray(spec.enum) && spec.enum.length > 0) {
    const spoken = words(text);
    const hit = spec.enum.find((v) => typeof v === 'string' && spoken.includes(v.toLowerCase()));
    return hit ?? spec.enum[0];
  }
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const digits = text.match(/-?\d+(\.\d+)?/);
      if (digits) return spec.type === 'integer' ? Math.trunc(Number(digits[0])) : Number(digits[0]);
      const word = words(text).find((w) => NUMBER_WORDS.includes(w));
      return word ? NUMBER_WORDS.indexOf(word) : 1;
    }
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default: {
      if (LOCATION_PROPERTY.test(property)) {
        const phrase = prepositionalPhrase(text);
        if (phrase) return phrase;
        const last = words(text)
          .filter((w) => !NAME_FILLER.has(w))
          .pop();
        return last ? capitalize(last) : 'Unknown';
      }
      return stripEndPunctuation(text);
    }
  }
}

/** Arguments for a call: every required property (all properties when `required` is absent). */
export function buildArguments(tool: FunctionSessionTool, text: string): Record<string, unknown> {
  const parameters = tool.parameters ?? {};
  const properties = (parameters.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(parameters.required)
    ? parameters.required.filter((p): p is string => typeof p === 'string')
    : Object.keys(properties);
  const args: Record<string, unknown> = {};
  for (const property of required) args[property] = argumentValue(property, properties[property], text);
  return args;
}

function summarizeOutput(output: string): { text: string; error?: string } {
  let value: unknown = output;
  try {
    value = JSON.parse(output);
  } catch {
    // not JSON: the raw text is the result
  }
  const plain = (v: unknown): string | undefined =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (record.error !== undefined) return { text: '', error: plain(record.error) ?? 'an error' };
    const fields = Object.entries(record).filter(([, v]) => plain(v) !== undefined);
    if (fields.length === 1) return { text: plain(fields[0]![1])! };
    return { text: fields.map(([k, v]) => `${k.replace(/_/g, ' ')} ${plain(v)}`).join(', ') };
  }
  if (Array.isArray(value)) return { text: value.map(plain).filter(Boolean).join(', ') };
  return { text: stripEndPunctuation(plain(value) ?? '') };
}

/** "The weather in Paris is sunny." from a tool call and its output. */
export function describeToolResult(result: ToolResult): string {
  const subject = nameWords(result.name).join(' ') || result.name;
  let args: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(result.arguments) as unknown;
    if (typeof parsed === 'object' && parsed !== null) args = parsed as Record<string, unknown>;
  } catch {
    // arguments were not JSON; describe without them
  }
  const firstString = Object.entries(args).find(([, v]) => typeof v === 'string' && v.length > 0);
  const where = firstString
    ? ` ${LOCATION_PROPERTY.test(firstString[0]) ? 'in' : 'for'} ${String(firstString[1])}`
    : '';
  const summary = summarizeOutput(result.output);
  if (summary.error !== undefined) return `Sorry, the ${subject}${where} failed with ${summary.error}.`;
  return `The ${subject}${where} is ${summary.text || 'empty'}.`.slice(0, 240);
}

const X_WORDS = /\b(x posts?|tweets?|twitter|on x|posts on x)\b/i;
const FILE_WORDS = /\b(documents?|files?|collections?|knowledge base|docs)\b/i;
const WEB_WORDS = /\b(search|web|news|latest|internet|online|look up)\b/i;

function searchReply(text: string, tools: readonly SessionTool[]): string | undefined {
  const query = stripEndPunctuation(text);
  const x = tools.find((t) => t.type === 'x_search');
  if (x && X_WORDS.test(text)) {
    const handles = x.allowed_x_handles?.length ? ` from ${x.allowed_x_handles.join(' and ')}` : '';
    return `I searched X posts${handles} for ${query} and found a simulated post.`;
  }
  const file = tools.find((t) => t.type === 'file_search');
  if (file && FILE_WORDS.test(text)) {
    return `I searched the collection ${file.vector_store_ids.join(' and ')} for ${query} and found a simulated document.`;
  }
  const web = tools.find((t) => t.type === 'web_search');
  if (web && (WEB_WORDS.test(text) || (!x && X_WORDS.test(text)))) {
    return `I searched the web for ${query} and found a simulated page.`;
  }
  return undefined;
}

const SAY = /^\s*(?:say|reply with|respond with|greet the user with)\s*[:,]?\s*["“']?(.+?)["”']?\s*$/i;

export function planReply(input: ReplyInput): ReplyPlan {
  if (input.toolResults.length > 0) {
    return { kind: 'audio', text: input.toolResults.map(describeToolResult).join(' ') };
  }
  if (input.userText !== null) {
    if (input.userTextUnrecognized) return { kind: 'audio', text: NOT_UNDERSTOOD };
    const text = input.userText.trim();
    if (text.length > 0) {
      const tool = matchFunctionTool(text, input.tools);
      if (tool)
        return {
          kind: 'function_call',
          name: tool.name,
          arguments: JSON.stringify(buildArguments(tool, text)),
        };
      const search = searchReply(text, input.tools);
      if (search) return { kind: 'audio', text: search };
      return { kind: 'audio', text: `You said: ${stripEndPunctuation(text)}.` };
    }
  }
  const say = input.responseInstructions?.match(SAY);
  if (say?.[1]) return { kind: 'audio', text: say[1].trim() };
  return { kind: 'audio', text: GREETING };
}
