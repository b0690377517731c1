import { type AudioOutput, AgentSession } from '@x/core';
import { XAILLM } from '@x/llm';
import { XAIRealtime } from '@x/realtime';
import { XAISTT } from '@x/stt';
import { XAITTS } from '@x/tts';
import type { Backend } from './backend.js';

export type PipelineMode = 'cascaded' | 'realtime';

export interface SessionFactoryOptions {
  mode: PipelineMode;
  backend: Backend;
  /** Where the agent's audio goes. */
  output: AudioOutput;
  /**
   * Phone-call audio: the providers work at 8 kHz µ-law on the wire (no resampling for a
   * telephony media stream).
   */
  telephony?: boolean;
}

/**
 * Builds an `AgentSession` from the public provider classes: XAISTT + XAILLM + XAITTS (cascaded)
 * or XAIRealtime (realtime). Only the backend's URLs and key differ between the simulator and xAI.
 */
export function createSession(options: SessionFactoryOptions): AgentSession {
  const { backend, output, telephony = false } = options;
  const apiKey = backend.apiKey;
  if (options.mode === 'realtime') {
    const realtime = new XAIRealtime({
      apiKey,
      baseURL: backend.wsUrl,
      voice: 'Ara',
      audioFormat: telephony ? { type: 'pcmu' } : { type: 'pcm', sampleRate: 24000 },
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
    });
    return new AgentSession({ realtime, output });
  }
  const stt = new XAISTT({
    apiKey,
    baseURL: backend.wsUrl,
    sampleRate: telephony ? 8000 : 16000,
    encoding: telephony ? 'mulaw' : 'pcm',
    endpointing: 300,
  });
  const llm = new XAILLM({ apiKey, baseURL: backend.httpUrl });
  const tts = new XAITTS({
    apiKey,
    baseURL: backend.wsUrl,
    voice: 'ara',
    codec: telephony ? 'mulaw' : 'pcm',
    sampleRate: telephony ? 8000 : 24000,
  });
  return new AgentSession({ stt, llm, tts, output });
}
