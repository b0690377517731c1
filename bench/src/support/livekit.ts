/**
 * Loads LiveKit's xAI plugin with its `ws` redirected to the simulator (see ws-redirect/).
 * `initializeLogger` must run before any stream is created.
 */
import { installWsRedirect } from '../ws-redirect/register.js';
import type { WsTapState } from '../ws-redirect/tap.js';

let loggerReady = false;

export async function loadLiveKit(simWsUrl: string): Promise<{
  agents: typeof import('@livekit/agents');
  xai: typeof import('@livekit/agents-plugin-xai');
  rtc: typeof import('@livekit/rtc-node');
  tap: WsTapState;
}> {
  const tap = installWsRedirect();
  pointAtSimulator(tap, simWsUrl);
  const agents = await import('@livekit/agents');
  if (!loggerReady) {
    agents.initializeLogger({ pretty: false, level: 'warn' });
    loggerReady = true;
  }
  const xai = await import('@livekit/agents-plugin-xai');
  const rtc = await import('@livekit/rtc-node');
  return { agents, xai, rtc, tap };
}

/** `wss://api.x.ai/v1/…` → `<simulator>/v1/…` (the simulator's wsUrl ends in /v1). */
export function pointAtSimulator(tap: WsTapState, simWsUrl: string): void {
  tap.to = simWsUrl.replace(/\/v1\/?$/, '');
}
