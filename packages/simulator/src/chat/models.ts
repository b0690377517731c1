/**
 * Chat model ids the simulator accepts (xAI's public ids at the time of writing). Unknown ids get
 * xAI's 404. Extra ids can be allowed with the `chatModels` option.
 */
export const CHAT_MODELS: readonly string[] = [
  'grok-4-1-fast-non-reasoning',
  'grok-4-1-fast-reasoning',
  'grok-4-1-fast',
  'grok-4-fast-non-reasoning',
  'grok-4-fast-reasoning',
  'grok-4-fast',
  'grok-4-0709',
  'grok-4',
  'grok-4-latest',
  'grok-code-fast-1',
  'grok-3',
  'grok-3-latest',
  'grok-3-fast',
  'grok-3-mini',
  'grok-3-mini-latest',
  'grok-3-mini-fast',
  'grok-2-1212',
  'grok-2-vision-1212',
];

/**
 * `reasoning_effort` is accepted only by the grok-3-mini family (ids containing "mini"), as xAI's
 * reasoning guide says; every other model answers 400 when it is sent.
 */
export function supportsReasoningEffort(model: string): boolean {
  return model.includes('mini');
}

/** Models that stream `delta.reasoning_content` (grok-3-mini does; grok-4 keeps its reasoning hidden). */
export function streamsReasoningContent(model: string): boolean {
  return model.includes('mini');
}

/** Reasoning models that think silently: they stream a few empty deltas before the answer. */
export function thinksSilently(model: string): boolean {
  return (
    (model.includes('reasoning') && !model.includes('non-reasoning')) ||
    model === 'grok-4' ||
    model === 'grok-4-0709'
  );
}
