/**
 * A JSON Schema object as used for tool parameters and structured output. Only the keywords the
 * validator below understands are typed; any other keyword is passed through to the model.
 */
export interface JSONSchemaObject {
  type?: JSONSchemaType | JSONSchemaType[];
  description?: string;
  properties?: Record<string, JSONSchemaObject>;
  required?: string[];
  additionalProperties?: boolean | JSONSchemaObject;
  items?: JSONSchemaObject;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JSONSchemaObject[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  [keyword: string]: unknown;
}

export type JSONSchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/**
 * Checks `value` against a JSON Schema subset: `type` (one or several), `required`, `properties`,
 * `additionalProperties` (boolean or schema), `items`, `enum`, `const`, `anyOf`, and the bounds
 * `minimum`/`maximum`/`minLength`/`maxLength`/`minItems`/`maxItems`. Unknown keywords are ignored.
 * Returns one message per problem, each starting with the JSON path (`$.location`); empty = valid.
 */
export function validateJsonSchema(schema: JSONSchemaObject, value: unknown, path = '$'): string[] {
  const errors: string[] = [];

  if (schema.anyOf && schema.anyOf.length > 0) {
    const branches = schema.anyOf.map((branch) => validateJsonSchema(branch, value, path));
    if (!branches.some((branchErrors) => branchErrors.length === 0)) {
      errors.push(`${path}: does not match any allowed schema (${branches.map((b) => b[0]).join('; ')})`);
    }
  }

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => hasType(value, type))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${describe(value)}`);
      return errors; // the remaining keywords would only repeat the type mismatch
    }
  }

  if (schema.enum && !schema.enum.some((allowed) => deepEqual(allowed, value))) {
    errors.push(
      `${path}: must be one of ${schema.enum.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  if ('const' in schema && !deepEqual(schema.const, value)) {
    errors.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  }

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push(`${path}: must be ≥ ${schema.minimum}, got ${value}`);
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push(`${path}: must be ≤ ${schema.maximum}, got ${value}`);
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errors.push(`${path}: must have at least ${schema.minLength} characters`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push(`${path}: must have at most ${schema.maxLength} characters`);
    }
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(`${path}: must have at least ${schema.minItems} items`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push(`${path}: must have at most ${schema.maxItems} items`);
    }
    if (schema.items) {
      const itemSchema = schema.items;
      value.forEach((item, index) => {
        errors.push(...validateJsonSchema(itemSchema, item, `${path}[${index}]`));
      });
    }
  }

  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) errors.push(`${path}.${key}: is required`);
    }
    const properties = schema.properties ?? {};
    for (const [key, child] of Object.entries(value)) {
      const propertySchema = properties[key];
      if (propertySchema) {
        errors.push(...validateJsonSchema(propertySchema, child, `${path}.${key}`));
      } else if (schema.additionalProperties === false) {
        errors.push(`${path}.${key}: is not an allowed property`);
      } else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validateJsonSchema(schema.additionalProperties, child, `${path}.${key}`));
      }
    }
  }

  return errors;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: JSONSchemaType): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true; // an unknown type name is not ours to reject
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return `integer ${value}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) =>
    deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
