/** One step of the scripted call. */
export type ScriptStep =
  /** The agent opens the call (`generateReply()` with no user input). */
  | { kind: 'greeting' }
  /** The caller says `text` once the agent has finished speaking. */
  | { kind: 'say'; text: string }
  /**
   * The caller says `text` while the agent is still speaking, `afterAgentMs` of agent audio into
   * the reply to the previous step (a barge-in).
   */
  | { kind: 'barge_in'; text: string; afterAgentMs: number };

/**
 * The scripted conversation: a weather question (a tool call), a question whose long answer the
 * caller cuts off, and what the caller says over it.
 */
export const SCRIPT: readonly ScriptStep[] = [
  { kind: 'greeting' },
  { kind: 'say', text: "What's the weather in Paris?" },
  { kind: 'say', text: 'Tell me a long story about the Eiffel Tower' },
  { kind: 'barge_in', text: 'Actually never mind, thank you', afterAgentMs: 900 },
];

/** The caller's lines, in order. */
export function callerLines(script: readonly ScriptStep[] = SCRIPT): string[] {
  return script.flatMap((step) => (step.kind === 'greeting' ? [] : [step.text]));
}
