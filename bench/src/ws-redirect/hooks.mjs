// Module resolution hook (registered with `module.register` by register.ts, in the benchmark
// process only): `ws` imported by the clients under test resolves to shim.ts.

const SHIM = new URL('./shim.ts', import.meta.url).href;

/** Importers whose `ws` is redirected: LiveKit's xAI plugin and our ws-based providers. */
export function redirects(parentURL) {
  if (typeof parentURL !== 'string') return false;
  return (
    parentURL.includes('/@livekit/agents-plugin-xai/') ||
    /\/packages\/(tts|stt|realtime)\/dist\//.test(parentURL)
  );
}

export async function resolve(specifier, context, nextResolve) {
  // Resolved through the rest of the chain so tsx (which compiles TypeScript) knows the file.
  if (specifier === 'ws' && redirects(context.parentURL)) return nextResolve(SHIM, context);
  return nextResolve(specifier, context);
}
