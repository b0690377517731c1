import { redact } from '../errors/redact.js';
import { type FunctionTool, ToolArgumentsError } from './function-tool.js';
import { parseToolArguments } from './tool-arguments.js';

export interface ToolCallRequest {
  callId: string;
  name: string;
  /** The raw JSON arguments string from the model. */
  arguments: string;
}

export interface ToolCallResult {
  callId: string;
  name: string;
  /** JSON text for the model: the tool's return value, or `{"error": "…"}`. */
  output: string;
  isError: boolean;
}

/**
 * Runs one tool call. Never throws: an unknown tool, arguments that are not JSON or do not match
 * the parameters, a tool that throws, and a result that cannot be serialised all become an error
 * result (`{"error": "…"}`, `isError: true`) that tells the model what went wrong.
 */
export async function executeToolCall(
  tools: readonly FunctionTool[],
  call: ToolCallRequest,
  signal?: AbortSignal,
): Promise<ToolCallResult> {
  const fail = (message: string): ToolCallResult => ({
    callId: call.callId,
    name: call.name,
    output: JSON.stringify({ error: redact(message) }),
    isError: true,
  });

  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    const available = tools.map((t) => t.name).join(', ') || '(none)';
    return fail(`Unknown tool "${call.name}". Available tools: ${available}.`);
  }
  if (signal?.aborted) return fail(`Tool "${call.name}" was not run: the turn was cancelled.`);

  const parsed = parseToolArguments(call.arguments ?? '');
  if (!parsed.ok) return fail(`Invalid arguments for tool "${call.name}": ${parsed.error}`);

  let args: unknown;
  try {
    args = tool.parse(parsed.value);
  } catch (error) {
    if (error instanceof ToolArgumentsError) return fail(error.message);
    return fail(`Invalid arguments for tool "${call.name}": ${errorMessage(error)}`);
  }

  let result: unknown;
  try {
    result = await tool.execute(args, { signal, callId: call.callId });
  } catch (error) {
    return fail(`Tool "${call.name}" failed: ${errorMessage(error)}`);
  }

  let output: string | undefined;
  try {
    output = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    return fail(`Tool "${call.name}" returned a value that is not JSON-serialisable: ${errorMessage(error)}`);
  }
  return { callId: call.callId, name: call.name, output: output ?? 'null', isError: false };
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
