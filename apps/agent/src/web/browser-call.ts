import { frameFromBytes, isSupportedSampleRate } from '@x/audio';
import type { AgentSession } from '@x/core';
import type { RawData, WebSocket } from 'ws';
import { createAgent } from '../agent-definition.js';
import type { Backend } from '../backend.js';
import { CallLog } from '../report/call-log.js';
import { createSession, type PipelineMode } from '../session-factory.js';
import { BROWSER_PLAYBACK_RATE, BrowserAudioOutput } from './browser-output.js';

export interface BrowserCallOptions {
  backend: Backend;
  mode: PipelineMode;
  print?: (line: string) => void;
}

/** Messages the page sends as text; everything binary is microphone PCM16. */
type PageMessage = { type: 'start'; sampleRate: number };

const MAX_PENDING_FRAMES = 500;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * One visitor of the web page: their microphone (PCM16 frames at the page's rate) feeds an
 * `AgentSession`; the agent's audio goes back as binary frames at 24 kHz; transcripts, tool
 * calls, the agent's state and `clear` (barge-in) go back as JSON.
 */
export class BrowserCall {
  readonly #ws: WebSocket;
  readonly #options: BrowserCallOptions;
  readonly #print: (line: string) => void;
  #session: AgentSession | undefined;
  #output: BrowserAudioOutput | undefined;
  #sampleRate: number | undefined;
  #started = false;
  #pending: Uint8Array[] = [];
  #closing: Promise<void> | undefined;
  #log: CallLog | undefined;

  constructor(ws: WebSocket, options: BrowserCallOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#print = options.print ?? (() => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.#onAudio(toBytes(data));
      else this.#onText(String(data));
    });
    ws.on('close', () => void this.close());
    ws.on('error', () => void this.close());
  }

  /** The call's transcripts and turn records (once the call started). */
  get log(): CallLog | undefined {
    return this.#log;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const session = this.#session;
      this.#session = undefined;
      this.#pending = [];
      await session?.close();
      this.#output?.close();
      if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000, 'bye');
    })();
    return this.#closing;
  }

  #json(message: Record<string, unknown>): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #onText(text: string): void {
    let message: PageMessage;
    try {
      message = JSON.parse(text) as PageMessage;
    } catch {
      this.#json({ type: 'error', message: 'messages must be JSON' });
      return;
    }
    if (message.type === 'start' && this.#sampleRate === undefined && !this.#closing) {
      if (!isSupportedSampleRate(message.sampleRate)) {
        this.#json({ type: 'error', message: `unsupported microphone rate ${message.sampleRate}` });
        void this.close();
        return;
      }
      this.#sampleRate = message.sampleRate;
      void this.#start();
    }
  }

  #onAudio(bytes: Uint8Array): void {
    if (this.#closing || this.#sampleRate === undefined || bytes.byteLength % 2 !== 0) return;
    if (this.#started && this.#session) {
      this.#session.pushAudio(frameFromBytes(bytes, this.#sampleRate));
    } else if (this.#pending.length < MAX_PENDING_FRAMES) {
      this.#pending.push(bytes.slice());
    }
  }

  async #start(): Promise<void> {
    const output = new BrowserAudioOutput({
      sendAudio: (pcm) => {
        if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(pcm, { binary: true });
      },
      sendClear: () => this.#json({ type: 'clear' }),
    });
    this.#output = output;
    const session = createSession({ mode: this.#options.mode, backend: this.#options.backend, output });
    this.#session = session;
    this.#log = new CallLog(session, { print: (line) => this.#print(`[browser] ${line}`) });
    session.on('user_transcript', (e) =>
      this.#json({ type: 'user_transcript', text: e.text, final: e.final }),
    );
    session.on('agent_transcript', (e) =>
      this.#json({ type: 'agent_transcript', text: e.text, final: e.final, interrupted: e.interrupted }),
    );
    session.on('agent_state_changed', (e) => this.#json({ type: 'agent_state', state: e.newState }));
    session.on('function_executed', (e) =>
      this.#json({ type: 'tool', name: e.name, arguments: e.arguments, output: e.output }),
    );
    session.on('metrics', (metrics) => this.#json({ type: 'metrics', metrics }));
    try {
      await session.start(createAgent());
    } catch (error) {
      this.#json({ type: 'error', message: `could not start the agent: ${(error as Error).message}` });
      void this.close();
      return;
    }
    if (this.#session !== session) return;
    this.#started = true;
    this.#json({
      type: 'ready',
      mode: this.#options.mode,
      backend: this.#options.backend.kind,
      playbackRate: BROWSER_PLAYBACK_RATE,
    });
    for (const bytes of this.#pending.splice(0)) session.pushAudio(frameFromBytes(bytes, this.#sampleRate!));
  }
}
