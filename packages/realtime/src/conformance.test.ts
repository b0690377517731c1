import { realtimeConformanceChecks } from '@x/core/testing';
import { type Simulator, startSimulator } from '@x/simulator';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { XAIRealtime } from './index.js';
import { recognize, spokenFrames } from './test-support/helpers.js';

describe('XAIRealtime passes the @x/core realtime conformance checks (simulator)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  const checks = realtimeConformanceChecks({
    createModel: ({ agent, output }) => {
      const model = new XAIRealtime({
        apiKey: 'conformance-key',
        baseURL: `${sim.wsUrl}?sim_speed=max`,
        output,
        connectOptions: { retryIntervalMs: 20, maxRetry: 1, timeoutMs: 5000 },
      });
      model.setAgent(agent);
      return model;
    },
    speech: (text) => spokenFrames(text),
    transcribeAgentAudio: (audio) => recognize(audio),
    timeoutMs: 8000,
  });
  for (const check of checks) it(check.name, check.run);
});
