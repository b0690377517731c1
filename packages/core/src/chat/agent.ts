import { ConfigurationError } from '../errors/errors.js';
import type { FunctionTool } from './function-tool.js';

export interface AgentOptions {
  /** The system prompt. */
  instructions: string;
  tools?: readonly FunctionTool[];
  name?: string;
}

/** What an agent is: its instructions and the tools it may call. */
export class Agent {
  readonly instructions: string;
  readonly tools: readonly FunctionTool[];
  readonly name: string;

  constructor(options: AgentOptions) {
    if (typeof options?.instructions !== 'string') {
      throw new ConfigurationError('instructions', options?.instructions, 'a string (the system prompt)');
    }
    const tools = options.tools ?? [];
    if (!Array.isArray(tools)) throw new ConfigurationError('tools', tools, 'an array of function tools');
    const seen = new Set<string>();
    for (const tool of tools) {
      if (typeof tool?.name !== 'string' || typeof tool.execute !== 'function') {
        throw new ConfigurationError('tools', tool, 'tools made with functionTool()');
      }
      if (seen.has(tool.name)) {
        throw new ConfigurationError('tools', tool.name, 'unique tool names', 'Two tools share this name');
      }
      seen.add(tool.name);
    }
    this.instructions = options.instructions;
    this.tools = Object.freeze([...tools]);
    this.name = options.name ?? 'agent';
  }
}
