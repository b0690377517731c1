#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startSimulator } from './server/simulator.js';

const USAGE = `Usage: x-simulator [--port <n>] [--host <addr>]

Starts the local xAI-compatible simulator and keeps it running until SIGINT/SIGTERM.
  --port  TCP port (default 0: any free port)
  --host  interface to listen on (default 127.0.0.1)`;

async function main(): Promise<void> {
  let values: { port?: string; host?: string; help?: boolean };
  try {
    // `pnpm start -- --port 8080` passes the `--` through; ignore it.
    const args = process.argv.slice(2);
    if (args[0] === '--') args.shift();
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0–65535, got ${values.port}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const simulator = await startSimulator({ port, host: values.host ?? '127.0.0.1' });
  console.log(`xAI simulator listening
  HTTP:      ${simulator.httpUrl}   (chat: ${simulator.httpUrl}/chat/completions, client secrets: ${simulator.httpUrl}/realtime/client_secrets)
  STT:       ${simulator.wsUrl}/stt
  TTS:       ${simulator.wsUrl}/tts
  Realtime:  ${simulator.wsUrl}/realtime
Any API key not starting with "invalid" is accepted. Press Ctrl+C to stop.`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the simulator`);
    void simulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
