import { startSimulator, type Simulator } from '@x/simulator';

/**
 * Where the providers connect: the local simulator (no key needed) or api.x.ai. Everything else
 * in the app is the same code path; only these URLs and the key differ.
 */
export interface Backend {
  kind: 'simulator' | 'xai';
  /** Key handed to every provider (a placeholder for the simulator). */
  apiKey: string;
  /** Chat completions base URL (`XAILLM.baseURL`). */
  httpUrl: string;
  /** WebSocket base URL (`XAISTT` / `XAITTS` / `XAIRealtime` `baseURL`). */
  wsUrl: string;
  /** The in-process simulator, when `kind` is `simulator`. */
  simulator: Simulator | undefined;
  /** Stops the simulator (if any). Idempotent. */
  close(): Promise<void>;
}

export const XAI_HTTP_URL = 'https://api.x.ai/v1';
export const XAI_WS_URL = 'wss://api.x.ai/v1';
const SIMULATOR_KEY = 'simulator-key';

export interface BackendOptions {
  /** Use the simulator even when a key is available. */
  forceSimulator?: boolean;
  /** Environment to read `XAI_API_KEY` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** Starts the simulator in-process unless `XAI_API_KEY` is set (and the simulator not forced). */
export async function openBackend(options: BackendOptions = {}): Promise<Backend> {
  const env = options.env ?? process.env;
  const key = env.XAI_API_KEY?.trim();
  if (key && !options.forceSimulator) {
    return {
      kind: 'xai',
      apiKey: key,
      httpUrl: XAI_HTTP_URL,
      wsUrl: XAI_WS_URL,
      simulator: undefined,
      close: async () => {},
    };
  }
  const simulator = await startSimulator();
  let closing: Promise<void> | undefined;
  return {
    kind: 'simulator',
    apiKey: SIMULATOR_KEY,
    httpUrl: simulator.httpUrl,
    wsUrl: simulator.wsUrl,
    simulator,
    close: () => {
      closing ??= simulator.close();
      return closing;
    },
  };
}
