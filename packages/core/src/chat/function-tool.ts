import { z } from 'zod';
import { ConfigurationError } from '../errors/errors.js';
import { type JSONSchemaObject, validateJsonSchema } from './json-schema.js';
import type { OpenAIFunctionToolParam, RealtimeFunctionToolParam } from './openai-types.js';

/** Tool names the chat-completions and realtime APIs accept. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** The model's arguments do not match the tool's parameters. */
export class ToolArgumentsError extends Error {
  readonly toolName: string;
  /** One readable line per problem. */
  readonly issues: readonly string[];

  constructor(toolName: string, issues: readonly string[]) {
    super(`Invalid arguments for tool "${toolName}": ${issues.join('; ')}`);
    this.name = 'ToolArgumentsError';
    this.toolName = toolName;
    this.issues = issues;
  }
}

export interface ToolContext {
  /** Aborted when the turn that asked for this call is cancelled. */
  signal?: AbortSignal;
  /** The model's id for this call. */
  callId?: string;
}

export interface FunctionTool<A = unknown, R = unknown> {
  readonly name: string;
  readonly description: string;
  /** The parameters as JSON Schema (converted from zod when a zod schema was given). */
  readonly parametersJsonSchema: JSONSchemaObject;
  /** Validates (and for zod, transforms) parsed arguments; throws `ToolArgumentsError`. */
  parse(args: unknown): A;
  execute(args: A, context: ToolContext): Promise<R> | R;
  toOpenAITool(): OpenAIFunctionToolParam;
  toRealtimeTool(): RealtimeFunctionToolParam;
}

interface FunctionToolBase {
  /** `^[a-zA-Z0-9_-]{1,64}$` */
  name: string;
  /** Tells the model when to call the tool. */
  description: string;
}

export interface ZodFunctionToolDefinition<S extends z.ZodType, R> extends FunctionToolBase {
  parameters: S;
  execute: (args: z.output<S>, context: ToolContext) => Promise<R> | R;
}

export interface JsonFunctionToolDefinition<A, R> extends FunctionToolBase {
  /** JSON Schema of the arguments object; omit for a tool without arguments. */
  parameters?: JSONSchemaObject;
  execute: (args: A, context: ToolContext) => Promise<R> | R;
}

/** Whether `value` is a zod (v4) schema. Duck-typed so a second copy of zod is recognised too. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/** Converts a zod schema or JSON Schema to a JSON Schema object (without the `$schema` keyword). */
export function toJsonSchema(option: string, schema: z.ZodType | JSONSchemaObject): JSONSchemaObject {
  if (isZodSchema(schema)) {
    let converted: Record<string, unknown>;
    try {
      converted = z.toJSONSchema(schema) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigurationError(
        option,
        'a zod schema',
        'a schema that JSON Schema can express (no dates, transforms or functions)',
        error instanceof Error ? error.message : undefined,
      );
    }
    const { $schema: _ignored, ...rest } = converted;
    return rest as JSONSchemaObject;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ConfigurationError(option, schema, 'a zod schema or a JSON Schema object');
  }
  return structuredClone(schema);
}

/**
 * Defines a tool the model can call. Parameters are a zod schema (arguments are parsed with it,
 * so transforms and defaults apply) or a JSON Schema object (arguments are checked with a small
 * built-in validator: type, required, properties, additionalProperties, enum, items, anyOf).
 */
export function functionTool<S extends z.ZodType, R>(
  definition: ZodFunctionToolDefinition<S, R>,
): FunctionTool<z.output<S>, R>;
export function functionTool<A = Record<string, unknown>, R = unknown>(
  definition: JsonFunctionToolDefinition<A, R>,
): FunctionTool<A, R>;
export function functionTool(
  definition: ZodFunctionToolDefinition<z.ZodType, unknown> | JsonFunctionToolDefinition<unknown, unknown>,
): FunctionTool {
  const { name, description, execute } = definition;
  if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name)) {
    throw new ConfigurationError(
      'name',
      name,
      '1 to 64 characters from a-z, A-Z, 0-9, "_" and "-"',
      'Tool names must match ^[a-zA-Z0-9_-]{1,64}$',
    );
  }
  if (typeof description !== 'string') {
    throw new ConfigurationError(
      'description',
      description,
      'a string telling the model when to use the tool',
    );
  }
  if (typeof execute !== 'function') {
    throw new ConfigurationError('execute', typeof execute, 'a function');
  }

  const parameters = definition.parameters;
  const zodSchema = isZodSchema(parameters) ? parameters : undefined;
  const jsonSchema: JSONSchemaObject =
    parameters === undefined
      ? { type: 'object', properties: {}, additionalProperties: false }
      : toJsonSchema('parameters', parameters);
  if (jsonSchema.type === undefined) jsonSchema.type = 'object';
  if (jsonSchema.type !== 'object') {
    throw new ConfigurationError(
      'parameters',
      JSON.stringify(jsonSchema.type),
      'an object schema (tool arguments are always a JSON object)',
    );
  }
  if (jsonSchema.properties === undefined) jsonSchema.properties = {};

  const parse = (args: unknown): unknown => {
    const input = args === undefined ? {} : args;
    if (zodSchema) {
      const result = zodSchema.safeParse(input);
      if (!result.success) {
        const issues = result.error.issues.map(
          (issue) => `${['$', ...issue.path.map(String)].join('.')}: ${issue.message}`,
        );
        throw new ToolArgumentsError(name, issues);
      }
      return result.data;
    }
    const issues = validateJsonSchema(jsonSchema, input);
    if (issues.length > 0) throw new ToolArgumentsError(name, issues);
    return input;
  };

  const parametersForWire = () => structuredClone(jsonSchema) as Record<string, unknown>;

  return Object.freeze({
    name,
    description,
    parametersJsonSchema: jsonSchema,
    parse,
    execute: execute as FunctionTool['execute'],
    toOpenAITool: (): OpenAIFunctionToolParam => ({
      type: 'function',
      function: { name, description, parameters: parametersForWire() },
    }),
    toRealtimeTool: (): RealtimeFunctionToolParam => ({
      type: 'function',
      name,
      description,
      parameters: parametersForWire(),
    }),
  });
}
