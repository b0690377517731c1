import type { z } from 'zod';
import { ConfigurationError } from '../errors/errors.js';
import { TOOL_NAME_PATTERN, isZodSchema, toJsonSchema } from '../chat/function-tool.js';
import { type JSONSchemaObject, isPlainObject, validateJsonSchema } from '../chat/json-schema.js';
import { JsonStringFieldExtractor } from './json-field-extractor.js';

/** The field of a conversational-graph reply that holds the text spoken to the user. */
export const RESPONSE_TO_USER_FIELD = 'response_to_user';

/**
 * Structured replies: the model answers with a JSON object matching `schema`, whose string field
 * `response_to_user` is what the user hears; the other fields (next state, extracted slots…) are
 * for the application. Providers stream only the `response_to_user` text as content and yield the
 * parsed object at the end as `metadata.conversationalGraph`.
 */
export interface ConversationalGraph {
  /** Schema name sent to the model, `^[a-zA-Z0-9_-]{1,64}$`. */
  name: string;
  description?: string;
  /** A zod object schema or a JSON Schema object with a string property `response_to_user`. */
  schema: z.ZodType | JSONSchemaObject;
}

/** A graph checked and converted once per request. */
export interface ResolvedConversationalGraph {
  readonly graph: ConversationalGraph;
  readonly name: string;
  readonly description: string | undefined;
  readonly jsonSchema: JSONSchemaObject;
}

/** Validates a graph and converts its schema to JSON Schema; throws `ConfigurationError`. */
export function resolveConversationalGraph(graph: ConversationalGraph): ResolvedConversationalGraph {
  if (typeof graph !== 'object' || graph === null) {
    throw new ConfigurationError('conversationalGraph', graph, 'an object {name, schema}');
  }
  if (typeof graph.name !== 'string' || !TOOL_NAME_PATTERN.test(graph.name)) {
    throw new ConfigurationError(
      'conversationalGraph.name',
      graph.name,
      'a name matching ^[a-zA-Z0-9_-]{1,64}$',
    );
  }
  const jsonSchema = toJsonSchema('conversationalGraph.schema', graph.schema);
  const field = jsonSchema.properties?.[RESPONSE_TO_USER_FIELD];
  const fieldTypes = field ? (Array.isArray(field.type) ? field.type : [field.type]) : [];
  if (jsonSchema.type !== 'object' || !field || !fieldTypes.includes('string')) {
    throw new ConfigurationError(
      'conversationalGraph.schema',
      'a schema without a string "response_to_user" property',
      `an object schema with a string property "${RESPONSE_TO_USER_FIELD}" (the text spoken to the user)`,
    );
  }
  return { graph, name: graph.name, description: graph.description, jsonSchema };
}

export type ConversationalGraphResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; error: string; raw: string };

/** Parses and validates a complete reply against the graph's schema (zod or JSON Schema). */
export function parseConversationalGraphReply(
  resolved: ResolvedConversationalGraph,
  text: string,
): ConversationalGraphResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the structured reply is not valid JSON (${reason})`, raw: text };
  }
  const schema = resolved.graph.schema;
  if (isZodSchema(schema)) {
    const result = schema.safeParse(value);
    if (!result.success) {
      const issues = result.error.issues.map(
        (i) => `${['$', ...i.path.map(String)].join('.')}: ${i.message}`,
      );
      return {
        ok: false,
        error: `the structured reply does not match the schema: ${issues.join('; ')}`,
        raw: text,
      };
    }
    value = result.data;
  } else {
    const issues = validateJsonSchema(resolved.jsonSchema, value);
    if (issues.length > 0) {
      return {
        ok: false,
        error: `the structured reply does not match the schema: ${issues.join('; ')}`,
        raw: text,
      };
    }
  }
  if (!isPlainObject(value))
    return { ok: false, error: 'the structured reply is not a JSON object', raw: text };
  return { ok: true, value };
}

/**
 * For providers: feed the model's raw JSON deltas to `push`, speak what it returns, and call
 * `finish` at the end for the parsed object.
 */
export class ConversationalGraphStream {
  readonly #resolved: ResolvedConversationalGraph;
  readonly #extractor = new JsonStringFieldExtractor(RESPONSE_TO_USER_FIELD);
  #raw = '';

  constructor(resolved: ResolvedConversationalGraph) {
    this.#resolved = resolved;
  }

  /** The JSON text received so far. */
  get raw(): string {
    return this.#raw;
  }

  /** The `response_to_user` text decoded so far. */
  get spokenText(): string {
    return this.#extractor.text;
  }

  /** Returns the newly available part of `response_to_user` (possibly empty). */
  push(delta: string): string {
    this.#raw += delta;
    return this.#extractor.push(delta);
  }

  finish(): ConversationalGraphResult {
    return parseConversationalGraphReply(this.#resolved, this.#raw);
  }
}
