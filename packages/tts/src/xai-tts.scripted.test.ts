import type { AudioFrame } from '@x/audio';
import { isAPIError, isAPIStatusError, MemoryAudioOutput } from '@x/core';
import { VoiceRecognizer } from '@x/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from './test-support/scripted-server.js';
import { XAITTS } from './xai-tts.js';

function transcribe(audio: AudioFrame): string {
  const recognizer = new VoiceRecognizer({ sampleRate: audio.sampleRate });
  recognizer.push(audio.data);
  recognizer.flush();
  return recognizer.text;
}

let server: ScriptedServer | undefined;
let tts: XAITTS | undefined;
afterEach(async () => {
  await tts?.close();
  await server?.close();
  tts = undefined;
  server = undefined;
});

async function setup(serverOptions: ScriptedServerOptions = {}, clearTimeoutMs = 1500) {
  server = await startScriptedServer(serverOptions);
  tts = new XAITTS({
    apiKey: 'test-key',
    baseURL: server.url,
    clearTimeoutMs,
    connectOptions: { maxRetry: 0, timeoutMs: 2000 },
  });
  return { server, tts, output: new MemoryAudioOutput() };
}

describe('XAITTS against a scripted server', () => {
  it('accepts audio sent as binary messages', async () => {
    const { tts, output } = await setup({ binaryAudio: true });
    await tts.synthesize('binary audio', { output });
    expect(transcribe(output.audio())).toBe('binary audio');
  });

  it('fails the call with a typed, non-retryable APIError on a server error event; the next call works', async () => {
    const { server, tts, output } = await setup({ errorOnDone: 'voice overloaded' });
    const error = await tts.synthesize('this fails', { output }).catch((e: unknown) => e);
    expect(isAPIError(error)).toBe(true);
    expect(isAPIStatusError(error)).toBe(false);
    expect((error as Error).message).toContain('voice overloaded');
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect(server.connections).toHaveLength(1);
  });

  it('after interrupt, reuses the socket once the server confirms audio.clear', async () => {
    const { server, tts, output } = await setup({ chunkIntervalMs: 5 });
    const first = tts.synthesize('a fairly long sentence to interrupt', { output });
    await output.waitFor('frame', { timeoutMs: 2000 });
    tts.interrupt();
    expect((await first).interrupted).toBe(true);
    await tts.synthesize('fresh words', { output });
    expect(transcribe(output.segmentAudio(1))).toBe('fresh words');
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]!.events.map((e) => e.type)).toContain('text.clear');
  });

  it('after interrupt, replaces a socket whose server never confirms the clear (bounded wait)', async () => {
    const { server, tts, output } = await setup({ ackClear: false, chunkIntervalMs: 5 }, 200);
    const first = tts.synthesize('a fairly long sentence to interrupt', { output });
    await output.waitFor('frame', { timeoutMs: 2000 });
    tts.interrupt();
    await first;
    const started = performance.now();
    await tts.synthesize('fresh words', { output });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(transcribe(output.segmentAudio(1))).toBe('fresh words');
    expect(server.connections).toHaveLength(2);
  });
});
