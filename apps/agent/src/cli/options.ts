import { parseArgs } from 'node:util';

export const MODES = ['cascaded', 'realtime', 'both'] as const;
export type DemoMode = (typeof MODES)[number];

export interface AppOptions {
  /** Which pipeline(s) the scripted demo runs. */
  mode: DemoMode;
  /** Serve the web page and the telephony endpoint instead of running the scripted demo. */
  serve: boolean;
  /** Port of `--serve` (0 = any free port). */
  port: number;
  /** Host `--serve` listens on. */
  host: string;
  /** A 16-bit PCM WAV the caller says (one turn) instead of the scripted lines. */
  input: string | undefined;
  /** Directory the agent's WAV files go to. */
  outDir: string;
  /** Use the local simulator even when XAI_API_KEY is set. */
  forceSimulator: boolean;
  help: boolean;
}

export const DEFAULT_PORT = 8080;

export const HELP = `Usage: pnpm start [-- options]

The reference voice agent. With no XAI_API_KEY it starts the local xAI simulator and holds a
scripted spoken conversation (a tool call and a barge-in), printing both transcripts and a
per-turn latency table, and writes the agent's audio to WAV files. With XAI_API_KEY set it talks
to api.x.ai instead.

Options:
  --mode <cascaded|realtime|both>  pipeline(s) of the scripted demo (default: both)
                                   cascaded = XAISTT + XAILLM + XAITTS, realtime = XAIRealtime
  --serve                          serve a web page (talk with your microphone) and a telephony
                                   media-stream endpoint (ws://HOST:PORT/telephony, 8 kHz µ-law)
  --port <n>                       port for --serve (default: ${DEFAULT_PORT}; 0 = any free port)
  --host <address>                 address for --serve (default: 127.0.0.1)
  --input <file.wav>               a 16-bit PCM WAV the caller says instead of the scripted lines
                                   (what to use with a real key: the simulator's voice is tones)
  --out <dir>                      where the agent's WAV files go (default: out)
  --simulator                      use the local simulator even when XAI_API_KEY is set
  -h, --help                       show this help
`;

/** A command-line option with a bad value. */
export class OptionError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'OptionError';
    this.option = option;
  }
}

/** Parses the command line (without `node script`). A lone `--` (pnpm's separator) is ignored. */
export function parseOptions(argv: readonly string[]): AppOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      strict: true,
      allowPositionals: false,
      options: {
        mode: { type: 'string' },
        serve: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        simulator: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new OptionError('arguments', `${message} (see --help)`);
  }

  const mode = (values.mode as string | undefined) ?? 'both';
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new OptionError('--mode', `"${mode}" is not one of ${MODES.join(', ')}`);
  }

  let port = DEFAULT_PORT;
  if (values.port !== undefined) {
    const text = String(values.port);
    port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) {
      throw new OptionError('--port', `"${text}" is not a port number (an integer from 0 to 65535)`);
    }
  }

  const host = (values.host as string | undefined) ?? '127.0.0.1';
  if (host === '') throw new OptionError('--host', 'an address is required (e.g. 127.0.0.1 or 0.0.0.0)');

  const input = values.input as string | undefined;
  if (input !== undefined && !/\.wav$/i.test(input)) {
    throw new OptionError('--input', `"${input}" is not a .wav file (a 16-bit PCM WAV is required)`);
  }

  const outDir = (values.out as string | undefined) ?? 'out';
  if (outDir === '') throw new OptionError('--out', 'a directory is required');

  return {
    mode: mode as DemoMode,
    serve: values.serve === true,
    port,
    host,
    input,
    outDir,
    forceSimulator: values.simulator === true,
    help: values.help === true,
  };
}
