import type { Hints } from './hints.js';

type Schema = Record<string, unknown>;

interface GenerateOptions {
  /** Fill every property (json_schema output) or only required ones (tool arguments). */
  allProperties: boolean;
  hints: Hints;
}

const QUERY_LIKE = /^(query|q|text|message|prompt|input|content|question|search|keywords?)$/i;
const FORMATS: Record<string, string> = {
  date: '2025-01-01',
  'date-time': '2025-01-01T12:00:00Z',
  time: '12:00:00',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
};

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : {};
}

function schemaType(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

/**
 * Builds a value that is valid against a JSON Schema, deterministically, using values from the user
 * message where a field wants a string or a number. Supports type (incl. arrays of types), enum,
 * const, default, properties/required, items/minItems/maxItems, minimum/maximum, minLength/maxLength,
 * common string formats, anyOf/oneOf (first branch), allOf (merged) and local $ref.
 */
export function valueFromSchema(schema: unknown, options: GenerateOptions): unknown {
  const root = isSchema(schema) ? schema : {};
  return generate(root, root, options, undefined, 0);
}

function generate(
  root: Schema,
  input: Schema,
  options: GenerateOptions,
  name: string | undefined,
  depth: number,
): unknown {
  if (depth > 12) return null;
  let schema = input;
  if (typeof schema.$ref === 'string') schema = { ...resolveRef(root, schema.$ref), ...omit(schema, '$ref') };
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const mentioned = schema.enum.find((v) => typeof v === 'string' && options.hints.mentions(v));
    if (mentioned !== undefined) return mentioned;
    if ('default' in schema && schema.enum.includes(schema.default)) return schema.default;
    return schema.enum[0];
  }
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    const branch = branches.find((b) => isSchema(b) && b.type !== 'null') ?? branches[0];
    return generate(
      root,
      { ...omit(schema, 'anyOf', 'oneOf'), ...(isSchema(branch) ? branch : {}) },
      options,
      name,
      depth + 1,
    );
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = { ...omit(schema, 'allOf') };
    for (const part of schema.allOf) {
      if (!isSchema(part)) continue;
      const resolved = typeof part.$ref === 'string' ? resolveRef(root, part.$ref) : part;
      Object.assign(merged, omit(resolved, 'properties', 'required'));
      merged.properties = {
        ...(merged.properties as Schema | undefined),
        ...(resolved.properties as Schema | undefined),
      };
      merged.required = [
        ...((merged.required as string[]) ?? []),
        ...((resolved.required as string[]) ?? []),
      ];
    }
    return generate(root, merged, options, name, depth + 1);
  }
  switch (schemaType(schema)) {
    case 'object':
      return objectValue(root, schema, options, depth);
    case 'array':
      return arrayValue(root, schema, options, name, depth);
    case 'number':
    case 'integer':
      return numberValue(schema, options);
    case 'boolean':
      return typeof schema.default === 'boolean' ? schema.default : false;
    case 'null':
      return null;
    default:
      return stringValue(schema, options, name);
  }
}

function omit(schema: Schema, ...keys: string[]): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function objectValue(
  root: Schema,
  schema: Schema,
  options: GenerateOptions,
  depth: number,
): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const out: Record<string, unknown> = {};
  // Query-like fields take the whole message; fill them first so names stay for the others.
  const keys = Object.keys(properties).filter((k) => options.allProperties || required.includes(k));
  for (const key of required) if (!keys.includes(key)) keys.push(key);
  for (const key of keys) {
    const prop = properties[key];
    out[key] = generate(root, isSchema(prop) ? prop : {}, options, key, depth + 1);
  }
  return out;
}

function arrayValue(
  root: Schema,
  schema: Schema,
  options: GenerateOptions,
  name: string | undefined,
  depth: number,
): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
  const count = Math.min(Math.max(min, 1), max);
  const items = isSchema(schema.items) ? schema.items : {};
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    let value = generate(root, items, options, name, depth + 1);
    if (schema.uniqueItems === true && out.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
      value = typeof value === 'string' ? `${value} ${i + 1}` : typeof value === 'number' ? value + i : value;
    }
    out.push(value);
  }
  return out;
}

function numberValue(schema: Schema, options: GenerateOptions): number {
  const integer =
    schema.type === 'integer' || (Array.isArray(schema.type) && schema.type.includes('integer'));
  let value = options.hints.takeNumber() ?? (typeof schema.default === 'number' ? schema.default : undefined);
  const lo =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + (integer ? 1 : 0.5)
        : undefined;
  const hi =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - (integer ? 1 : 0.5)
        : undefined;
  value ??= lo !== undefined ? lo : hi !== undefined && hi < 0 ? hi : 0;
  if (lo !== undefined && value < lo) value = lo;
  if (hi !== undefined && value > hi) value = hi;
  return integer ? Math.round(value) : value;
}

function stringValue(schema: Schema, options: GenerateOptions, name: string | undefined): string {
  let value: string;
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format !== undefined) value = format;
  else if (name !== undefined && QUERY_LIKE.test(name) && options.hints.text.length > 0)
    value = options.hints.text;
  else
    value =
      options.hints.takeString() ??
      (typeof schema.default === 'string' ? schema.default : undefined) ??
      name ??
      'example';
  if (typeof schema.maxLength === 'number') value = value.slice(0, schema.maxLength);
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    value = value.padEnd(schema.minLength, '.');
  }
  return value;
}
