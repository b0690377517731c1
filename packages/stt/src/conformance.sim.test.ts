import { sttConformanceChecks } from '@x/core/testing';
import { type Simulator, startSimulator, synthesizeVoice } from '@x/simulator';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { XAISTT } from './xai-stt.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const connectOptions = { maxRetry: 2, retryIntervalMs: 20, timeoutMs: 3000 };

describe('XAISTT passes the @x/core STT conformance checks (simulator)', () => {
  const checks = sttConformanceChecks({
    createSTT: ({ interimResults }) =>
      new XAISTT({ apiKey: 'sim-key-0123456789', baseURL: sim.wsUrl, interimResults, connectOptions }),
    speech: (text, sampleRate) => synthesizeVoice(text, sampleRate),
    interimResults: true,
    createUnauthorizedSTT: () =>
      new XAISTT({ apiKey: 'invalid-key-0123456789', baseURL: sim.wsUrl, connectOptions }),
    timeoutMs: 5000,
  });
  for (const check of checks) it(check.name, check.run);
});
