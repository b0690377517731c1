import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => stdout,
    errors: () => stderr,
    async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = stdout.match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} in output: ${stdout} ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describe('cli', () => {
  it('prints its URLs, serves, and stops on SIGTERM', async () => {
    const cli = run(['--port', '0', '--host', '127.0.0.1']);
    const [, httpUrl] = await cli.waitFor(/HTTP:\s+(http:\/\/127\.0\.0\.1:\d+\/v1)/);
    expect(cli.output()).toMatch(/STT:\s+ws:\/\/127\.0\.0\.1:\d+\/v1\/stt/);
    expect(cli.output()).toMatch(/TTS:\s+ws:\/\/127\.0\.0\.1:\d+\/v1\/tts/);
    expect(cli.output()).toMatch(/Realtime:\s+ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime/);
    const res = await fetch(`${httpUrl}/realtime/client_secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer key' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('SIGTERM: stopping the simulator');
  });

  it('rejects a bad --port with usage and exit code 2', async () => {
    const cli = run(['--port', 'abc']);
    expect(await cli.exited).toBe(2);
    expect(cli.errors()).toMatch(/--port must be an integer/);
    expect(cli.errors()).toContain('Usage:');
  });
});
