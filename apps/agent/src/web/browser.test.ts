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
const BARGE_IN = 'Stop, I have heard enough';
const MIC_RATE = 48000;
/** When the caller talks over the agent's answer, in the microphone's audio. */
const BARGE_IN_AT_S = 2.6;

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
  __agentAudioClears: number;
}

/**
 * The web page in real headless Chromium: its microphone is Chromium's fake capture device fed
 * from a WAV in the simulator's voice: the caller asks QUESTION, then says BARGE_IN over the
 * agent's answer (the file loops, so it ends with a long silence).
 */
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('web page in headless Chromium', () => {
  let dir: string;
  let backend: Backend;
  let server: AgentServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-browser-'));
    const mic = new Int16Array(MIC_RATE * 14);
    mic.set(synthesizeVoice(QUESTION, MIC_RATE), MIC_RATE / 2);
    mic.set(synthesizeVoice(BARGE_IN, MIC_RATE), Math.round(MIC_RATE * BARGE_IN_AT_S));
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
      // Done once the agent answered the barge-in whole.
      await page.waitForFunction(
        (bargeIn) => {
          const globals = globalThis as unknown as PageGlobals;
          const t = globals.__transcripts;
          const at = t.findIndex((e) => e.role === 'user' && e.text === bargeIn);
          return at >= 0 && t.slice(at).some((e) => e.role === 'agent' && !e.interrupted);
        },
        BARGE_IN,
        { timeout: 20_000, polling: 100 },
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
    it(`${mode}: the page shows both transcripts, plays the agent's audio and stops it on barge-in`, async () => {
      const { page, transcripts } = await talk(mode);
      try {
        expect(await page.textContent('#status')).toContain(`connected (${mode}, simulator)`);
        // The caller's two lines, each answered; the first answer cut off by the second line.
        expect(transcripts.filter((t) => t.role === 'user').map((t) => t.text)).toEqual([QUESTION, BARGE_IN]);
        expect(transcripts.map((t) => `${t.role}${t.interrupted ? ' (interrupted)' : ''}`)).toEqual([
          'user',
          'agent (interrupted)',
          'user',
          'agent',
        ]);
        const [, cut, , answer] = transcripts;
        expect(cut!.text.length).toBeGreaterThan(0);
        expect(answer!.text.length).toBeGreaterThan(0);
        // Shown on the page as they were received.
        const shown = await page.$$eval('#log p[data-final="true"]', (els) =>
          els.map((el) => `${el.className}: ${el.textContent}`),
        );
        expect(shown).toEqual([
          `user: ${QUESTION}`,
          `agent interrupted: ${cut!.text}`,
          `user: ${BARGE_IN}`,
          `agent: ${answer!.text}`,
        ]);
        // Agent audio arrived and was played; the barge-in cleared what was queued.
        const audio = await page.evaluate(() => {
          const globals = globalThis as unknown as PageGlobals;
          return {
            frames: globals.__agentAudioFrames,
            ms: globals.__agentAudioMs,
            clears: globals.__agentAudioClears,
          };
        });
        expect(audio.frames).toBeGreaterThan(10);
        expect(audio.ms).toBeGreaterThan(1000);
        expect(audio.clears).toBe(1);
        expect(Number(await page.textContent('#audio-frames'))).toBe(audio.frames);
      } finally {
        await page.close();
      }
    }, 30_000);
  }
});
