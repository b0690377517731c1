import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAudioFrame, encodeWav } from '@x/audio';
import { synthesizeVoice } from '@x/simulator';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, openBackend } from '../backend.js';
import { type AgentServer, startAgentServer } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const QUESTION = "What's the weather in Paris?";
const MIC_RATE = 48000;

interface PageTranscript {
  role: 'user' | 'agent';
  text: string;
  interrupted: boolean;
}

/** What the page exposes for tests (read inside `page.evaluate`, where `globalThis` is `window`). */
interface PageGlobals {
  __transcripts: PageTranscript[];
  __agentAudioFrames: number;
  __agentAudioMs: number;
}

/**
 * The web page in real headless Chromium: its microphone is Chromium's fake capture device fed
 * from a WAV of the caller saying QUESTION in the simulator's voice (the file loops, so it holds
 * a long silence after the question).
 */
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('web page in headless Chromium', () => {
  let dir: string;
  let backend: Backend;
  let server: AgentServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-browser-'));
    const speech = synthesizeVoice(QUESTION, MIC_RATE);
    const mic = new Int16Array(MIC_RATE * 12);
    mic.set(speech, MIC_RATE / 2);
    const wav = join(dir, 'caller.wav');
    await writeFile(wav, encodeWav(createAudioFrame(mic, MIC_RATE)));

    backend = await openBackend({ forceSimulator: true });
    server = await startAgentServer({ backend, port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 20_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function talk(mode: 'cascaded' | 'realtime'): Promise<{ page: Page; transcripts: PageTranscript[] }> {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/?raw=1&mode=${mode}`);
      await page.click('#start');
      await page.waitForFunction(
        () => {
          const globals = globalThis as unknown as PageGlobals;
          return globals.__transcripts.some((t) => t.role === 'agent') && globals.__agentAudioFrames > 0;
        },
        undefined,
        { timeout: 15_000, polling: 100 },
      );
      const transcripts = await page.evaluate(() => (globalThis as unknown as PageGlobals).__transcripts);
      return { page, transcripts };
    } catch (error) {
      const status = await page.textContent('#status').catch(() => '?');
      const log = await page.textContent('#log').catch(() => '?');
      await page.close();
      throw new Error(`${(error as Error).message}\npage status: ${status}\npage log: ${log}`);
    }
  }

  for (const mode of ['cascaded', 'realtime'] as const) {
    it(`${mode}: the page shows both transcripts and plays the agent's audio`, async () => {
      const { page, transcripts } = await talk(mode);
      try {
        expect(transcripts[0]).toEqual({ role: 'user', text: QUESTION, interrupted: false });
        const agent = transcripts.find((t) => t.role === 'agent')!;
        expect(agent.text).toMatch(/\bdegrees\b/); // the get_weather result, spoken
        expect(await page.textContent('#log p.user[data-final="true"]')).toBe(QUESTION);
        expect(await page.textContent('#log p.agent[data-final="true"]')).toBe(agent.text);
        expect(await page.textContent('#status')).toContain(`connected (${mode}, simulator)`);
        const { frames, ms } = await page.evaluate(() => {
          const globals = globalThis as unknown as PageGlobals;
          return { frames: globals.__agentAudioFrames, ms: globals.__agentAudioMs };
        });
        expect(frames).toBeGreaterThan(10);
        expect(ms).toBeGreaterThan(1000);
        expect(Number(await page.textContent('#audio-frames'))).toBeGreaterThan(0);
      } finally {
        await page.close();
      }
    }, 25_000);
  }
});
