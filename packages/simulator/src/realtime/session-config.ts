import {
  type AudioFormat,
  ClientEventError,
  DEFAULT_PCM_RATE,
  DEFAULT_SERVER_VAD,
  ERROR_CODES,
  G711_RATE,
  PCM_RATES,
  type ServerVadConfig,
  type SessionConfig,
  type SessionTool,
  VOICES,
  type Voice,
} from './protocol.js';

/**
 * Strict validation of `session.update`. Every field is checked and the first bad one is reported
 * with its full path in `param` (`session.turn_detection.threshold`, `session.tools[1].name`, …).
 * The update is atomic: on error nothing changes. Fields not given keep their current value.
 */

/** Session fields accepted and ignored: `model` cannot be changed by `session.update` [observed]. */
const IGNORED_SESSION_FIELDS = new Set(['model', 'type']);
const SESSION_FIELDS = new Set(['instructions', 'voice', 'turn_detection', 'audio', 'tools']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function invalidType(param: string, expected: string, value: unknown): ClientEventError {
  return new ClientEventError(
    ERROR_CODES.invalidType,
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)}.`,
    param,
  );
}

function invalidValue(param: string, value: unknown, allowed: string): ClientEventError {
  return new ClientEventError(
    ERROR_CODES.invalidValue,
    `Invalid value for '${param}': ${JSON.stringify(value)}. ${allowed}`,
    param,
  );
}

function unknownParameter(param: string): ClientEventError {
  return new ClientEventError(ERROR_CODES.unknownParameter, `Unknown parameter: '${param}'.`, param);
}

function missing(param: string): ClientEventError {
  return new ClientEventError(ERROR_CODES.missing, `Missing required parameter: '${param}'.`, param);
}

function checkKeys(obj: Json, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw unknownParameter(`${path}.${key}`);
  }
}

function numberInRange(value: unknown, param: string, min: number, max: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number', value);
  if (integer && !Number.isInteger(value)) throw invalidValue(param, value, 'Expected an integer.');
  if (value < min || value > max)
    throw invalidValue(param, value, `Expected a value between ${min} and ${max}.`);
  return value;
}

export function parseVoice(value: unknown, param = 'session.voice'): Voice {
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  const voice = VOICES.find((v) => v.toLowerCase() === value.toLowerCase());
  if (!voice) throw invalidValue(param, value, `Supported voices: ${VOICES.join(', ')} (case-insensitive).`);
  return voice;
}

export function parseTurnDetection(
  value: unknown,
  current: ServerVadConfig | null,
  param = 'session.turn_detection',
): ServerVadConfig | null {
  if (value === null) return null;
  if (!isObject(value)) throw invalidType(param, 'an object or null', value);
  checkKeys(value, param, ['type', 'threshold', 'prefix_padding_ms', 'silence_duration_ms']);
  if (value.type === undefined) throw missing(`${param}.type`);
  if (value.type !== 'server_vad') {
    throw invalidValue(
      `${param}.type`,
      value.type,
      "Supported values: 'server_vad' (or turn_detection: null).",
    );
  }
  const base = current ?? DEFAULT_SERVER_VAD;
  return {
    type: 'server_vad',
    threshold:
      value.threshold === undefined
        ? base.threshold
        : numberInRange(value.threshold, `${param}.threshold`, 0.1, 0.9, false),
    prefix_padding_ms:
      value.prefix_padding_ms === undefined
        ? base.prefix_padding_ms
        : numberInRange(value.prefix_padding_ms, `${param}.prefix_padding_ms`, 0, 10_000, true),
    silence_duration_ms:
      value.silence_duration_ms === undefined
        ? base.silence_duration_ms
        : numberInRange(value.silence_duration_ms, `${param}.silence_duration_ms`, 0, 10_000, true),
  };
}

/**
 * `audio/pcm` takes `rate` (default 24000). `audio/pcmu` / `audio/pcma` are 8000 Hz fixed and take no
 * rate; `rate: 8000` is tolerated, any other rate is an error.
 */
export function parseAudioFormat(value: unknown, param: string): AudioFormat {
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  checkKeys(value, param, ['type', 'rate']);
  if (value.type === undefined) throw missing(`${param}.type`);
  if (value.type === 'audio/pcm') {
    if (value.rate === undefined) return { type: 'audio/pcm', rate: DEFAULT_PCM_RATE };
    if (typeof value.rate !== 'number') throw invalidType(`${param}.rate`, 'an integer', value.rate);
    if (!(PCM_RATES as readonly number[]).includes(value.rate)) {
      throw invalidValue(`${param}.rate`, value.rate, `Supported rates: ${PCM_RATES.join(', ')}.`);
    }
    return { type: 'audio/pcm', rate: value.rate };
  }
  if (value.type === 'audio/pcmu' || value.type === 'audio/pcma') {
    if (value.rate !== undefined && value.rate !== G711_RATE) {
      throw invalidValue(`${param}.rate`, value.rate, `${value.type} is fixed at 8000 Hz and takes no rate.`);
    }
    return { type: value.type };
  }
  throw invalidValue(
    `${param}.type`,
    value.type,
    "Supported values: 'audio/pcm', 'audio/pcmu', 'audio/pcma'.",
  );
}

function parseAudio(value: unknown, current: SessionConfig['audio']): SessionConfig['audio'] {
  const param = 'session.audio';
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  checkKeys(value, param, ['input', 'output']);
  const result = { input: current.input, output: current.output };
  for (const side of ['input', 'output'] as const) {
    const sideValue = value[side];
    if (sideValue === undefined) continue;
    const sideParam = `${param}.${side}`;
    if (!isObject(sideValue)) throw invalidType(sideParam, 'an object', sideValue);
    checkKeys(sideValue, sideParam, ['format']);
    if (sideValue.format === undefined) continue;
    result[side] = { format: parseAudioFormat(sideValue.format, `${sideParam}.format`) };
  }
  return result;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function stringArray(value: unknown, param: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(value)) throw invalidType(param, 'an array of strings', value);
  if (nonEmpty && value.length === 0) throw invalidValue(param, value, 'Expected at least one entry.');
  value.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw invalidType(`${param}[${i}]`, 'a non-empty string', entry);
    }
  });
  return [...(value as string[])];
}

export function parseTool(value: unknown, param: string): SessionTool {
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  if (value.type === undefined) throw missing(`${param}.type`);
  switch (value.type) {
    case 'function': {
      if (value.function !== undefined) {
        throw new ClientEventError(
          ERROR_CODES.unknownParameter,
          `Unknown parameter: '${param}.function'. Realtime tools are flat: {type: 'function', name, description, parameters}.`,
          `${param}.function`,
        );
      }
      checkKeys(value, param, ['type', 'name', 'description', 'parameters']);
      if (value.name === undefined) throw missing(`${param}.name`);
      if (typeof value.name !== 'string') throw invalidType(`${param}.name`, 'a string', value.name);
      if (!FUNCTION_NAME.test(value.name)) {
        throw invalidValue(`${param}.name`, value.name, 'Expected 1-64 characters of a-z, A-Z, 0-9, _ or -.');
      }
      const tool: SessionTool = { type: 'function', name: value.name };
      if (value.description !== undefined) {
        if (typeof value.description !== 'string') {
          throw invalidType(`${param}.description`, 'a string', value.description);
        }
        tool.description = value.description;
      }
      if (value.parameters !== undefined) {
        if (!isObject(value.parameters))
          throw invalidType(`${param}.parameters`, 'a JSON schema object', value.parameters);
        if (value.parameters.type !== undefined && value.parameters.type !== 'object') {
          throw invalidValue(
            `${param}.parameters.type`,
            value.parameters.type,
            "Function parameters must be of type 'object'.",
          );
        }
        tool.parameters = value.parameters;
      }
      return tool;
    }
    case 'web_search':
      checkKeys(value, param, ['type']);
      return { type: 'web_search' };
    case 'x_search': {
      checkKeys(value, param, ['type', 'allowed_x_handles']);
      const tool: SessionTool = { type: 'x_search' };
      if (value.allowed_x_handles !== undefined && value.allowed_x_handles !== null) {
        tool.allowed_x_handles = stringArray(value.allowed_x_handles, `${param}.allowed_x_handles`, false);
      }
      return tool;
    }
    case 'file_search': {
      checkKeys(value, param, ['type', 'vector_store_ids', 'max_num_results']);
      if (value.vector_store_ids === undefined) throw missing(`${param}.vector_store_ids`);
      const tool: SessionTool = {
        type: 'file_search',
        vector_store_ids: stringArray(value.vector_store_ids, `${param}.vector_store_ids`, true),
      };
      if (value.max_num_results !== undefined) {
        tool.max_num_results = numberInRange(value.max_num_results, `${param}.max_num_results`, 1, 50, true);
      }
      return tool;
    }
    default:
      throw invalidValue(
        `${param}.type`,
        value.type,
        "Supported values: 'function', 'web_search', 'x_search', 'file_search'.",
      );
  }
}

function parseTools(value: unknown): SessionTool[] {
  const param = 'session.tools';
  if (value === null) return []; // tolerated: `tools: null` means no tools
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  const tools = value.map((tool, i) => parseTool(tool, `${param}[${i}]`));
  const seen = new Set<string>();
  tools.forEach((tool, i) => {
    const key = tool.type === 'function' ? `function:${tool.name}` : tool.type;
    if (seen.has(key)) {
      const what = tool.type === 'function' ? `function name '${tool.name}'` : `tool type '${tool.type}'`;
      throw invalidValue(
        `${param}[${i}]`,
        tool.type === 'function' ? tool.name : tool.type,
        `Duplicate ${what}.`,
      );
    }
    seen.add(key);
  });
  return tools;
}

/** Applies a `session.update`'s `session` object to `current`; returns the new effective session. */
export function applySessionUpdate(current: SessionConfig, update: unknown): SessionConfig {
  if (update === undefined) throw missing('session');
  if (!isObject(update)) throw invalidType('session', 'an object', update);
  for (const key of Object.keys(update)) {
    if (!SESSION_FIELDS.has(key) && !IGNORED_SESSION_FIELDS.has(key))
      throw unknownParameter(`session.${key}`);
  }
  const next: SessionConfig = { ...current };
  if (update.instructions !== undefined) {
    if (update.instructions === null) next.instructions = '';
    else if (typeof update.instructions !== 'string') {
      throw invalidType('session.instructions', 'a string', update.instructions);
    } else next.instructions = update.instructions;
  }
  if (update.voice !== undefined) next.voice = parseVoice(update.voice);
  if (update.turn_detection !== undefined) {
    next.turn_detection = parseTurnDetection(update.turn_detection, current.turn_detection);
  }
  if (update.audio !== undefined) next.audio = parseAudio(update.audio, current.audio);
  if (update.tools !== undefined) next.tools = parseTools(update.tools);
  return next;
}

/** Sample rate of a format: the pcm rate, or 8000 for G.711. */
export function formatRate(format: AudioFormat): number {
  return format.type === 'audio/pcm' ? format.rate : G711_RATE;
}
