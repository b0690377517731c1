import { Hints } from './hints.js';
import { valueFromSchema } from './schema-values.js';

export interface RequestTool {
  name: string;
  description: string;
  parameters: unknown;
}

export interface PlannedToolCall {
  name: string;
  arguments: string;
}

/** Name parts too generic to say which tool is meant. */
const GENERIC = new Set(
  'get set fetch find lookup look query create update delete remove list do make run call check current tool function info data the a an by for to of and or is with'.split(
    ' ',
  ),
);
/** Description words too common to count. */
const COMMON = new Set(
  'about above after again their there these those which while would could should given specified provided returns return information value values current using based other where what when string number object'.split(
    ' ',
  ),
);

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function stem(word: string): string {
  return word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
}

function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((p) => p.length > 0);
}

interface Match {
  tool: RequestTool;
  score: number;
  /** Where in the message the tool is first mentioned. */
  position: number;
}

/**
 * Scores how clearly the message asks for `tool`: its full name (10), a specific part of its name
 * (3 each, e.g. "weather" for get_weather), or uncommon words of its description (1 each; at least
 * two are needed when the name is not mentioned).
 */
function score(tool: RequestTool, text: string): Match {
  const lower = text.toLowerCase();
  const textWords = words(text).map(stem);
  let total = 0;
  let position = Number.POSITIVE_INFINITY;
  const fullAt = lower.indexOf(tool.name.toLowerCase());
  if (fullAt >= 0) {
    total += 10;
    position = fullAt;
  }
  for (const part of nameParts(tool.name)) {
    if (GENERIC.has(part) || part.length < 3) continue;
    const at = textWords.indexOf(stem(part));
    if (at >= 0) {
      total += 3;
      position = Math.min(position, lower.search(new RegExp(`\\b${stem(part)}`)));
    }
  }
  if (total === 0) {
    const described = new Set(
      words(tool.description)
        .filter((w) => w.length >= 5 && !COMMON.has(w))
        .map(stem),
    );
    let hits = 0;
    for (const w of described) if (textWords.includes(w)) hits += 1;
    if (hits >= 2) {
      total += hits;
      position = 0;
    }
  }
  return { tool, score: total, position: Math.max(0, position) };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/**
 * Decides which tools the message asks for, in the order they are mentioned, and builds their
 * arguments from the schema and the part of the message about each tool.
 */
export function planToolCalls(
  tools: readonly RequestTool[],
  userText: string,
  choice: ToolChoice,
  parallel: boolean,
): PlannedToolCall[] {
  if (choice === 'none' || tools.length === 0) return [];
  let chosen: Match[];
  if (typeof choice === 'object') {
    const tool = tools.find((t) => t.name === choice.name);
    chosen = tool ? [{ tool, score: 1, position: 0 }] : [];
  } else {
    chosen = tools
      .map((tool) => score(tool, userText))
      .filter((m) => m.score > 0)
      .sort((a, b) => a.position - b.position || b.score - a.score);
    if (chosen.length === 0 && choice === 'required') {
      const first = tools[0];
      if (first) chosen = [{ tool: first, score: 1, position: 0 }];
    }
  }
  if (!parallel) chosen = chosen.slice(0, 1);
  const toolWords = tools.flatMap((t) => nameParts(t.name));
  return chosen.map((match, i) => {
    const next = chosen[i + 1];
    const segment =
      chosen.length > 1 ? userText.slice(match.position, next ? next.position : undefined) : userText;
    const hints = new Hints(segment.trim().length > 0 ? segment : userText, toolWords);
    const args = valueFromSchema(match.tool.parameters ?? { type: 'object', properties: {} }, {
      allProperties: false,
      hints,
    });
    return { name: match.tool.name, arguments: JSON.stringify(args ?? {}) };
  });
}
