import { resolve } from 'node:path';
import { openBackend } from './backend.js';
import { HELP, OptionError, parseOptions } from './cli/options.js';
import { runDemo } from './demo/run-demo.js';
import { startAgentServer } from './web/server.js';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function serve(options: ReturnType<typeof parseOptions>): Promise<void> {
  const backend = await openBackend({ forceSimulator: options.forceSimulator });
  const server = await startAgentServer({
    backend,
    port: options.port,
    host: options.host,
    defaultMode: options.mode === 'realtime' ? 'realtime' : 'cascaded',
    print,
  });
  print(`Backend: ${backend.kind === 'simulator' ? `local simulator at ${backend.httpUrl}` : 'api.x.ai'}`);
  print(`Talk to the agent: ${server.url}/  (microphone in the browser; use localhost or https)`);
  print(`Telephony media stream (8 kHz µ-law, Twilio format): ${server.telephonyUrl}`);
  print('Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  print('Stopping…');
  await server.close();
  await backend.close();
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof OptionError) {
      process.stderr.write(`${error.message}\nRun with --help to see the options.\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    print(HELP);
    return 0;
  }
  if (options.serve) {
    await serve(options);
    return 0;
  }
  // `pnpm start` runs in apps/agent; paths the user typed are relative to where they typed them.
  const base = process.env.INIT_CWD ?? process.cwd();
  await runDemo({
    ...options,
    outDir: resolve(base, options.outDir),
    input: options.input === undefined ? undefined : resolve(base, options.input),
    print,
  });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
