import { createAudioFrame, mulawDecode } from '@x/audio';
import type { AgentSession } from '@x/core';
import type { WebSocket } from 'ws';
import { createAgent } from '../agent-definition.js';
import type { Backend } from '../backend.js';
import { CallLog } from '../report/call-log.js';
import { createSession, type PipelineMode } from '../session-factory.js';
import { PHONE_SAMPLE_RATE, PhoneAudioOutput } from './phone-output.js';
import { decodePayload, type InboundMessage, type OutboundMessage, parseInbound } from './protocol.js';

export interface PhoneCallOptions {
  backend: Backend;
  mode: PipelineMode;
  /** Whether the agent speaks first (default true; `<Parameter name="greeting" value="false"/>` turns it off). */
  greeting?: boolean;
  print?: (line: string) => void;
}

/** Caller audio held while the session starts (10 s of 20 ms frames). */
const MAX_PENDING_FRAMES = 500;

/**
 * One phone call over a Twilio-style media stream: `start` opens an `AgentSession` whose audio
 * goes back as `media` messages, inbound `media` (8 kHz µ-law) is the caller's microphone,
 * barge-in sends `clear`, `stop` or a closed socket ends the call.
 */
export class PhoneCall {
  readonly #ws: WebSocket;
  readonly #options: PhoneCallOptions;
  readonly #print: (line: string) => void;
  #streamSid: string | undefined;
  #session: AgentSession | undefined;
  #output: PhoneAudioOutput | undefined;
  #started = false;
  #pending: Int16Array[] = [];
  #closing: Promise<void> | undefined;
  #log: CallLog | undefined;
  /** Marks the provider confirmed as played, in order. */
  readonly marksPlayed: string[] = [];

  constructor(ws: WebSocket, options: PhoneCallOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#print = options.print ?? (() => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // the protocol is JSON text frames only
      this.#onMessage(String(data));
    });
    ws.on('close', () => void this.close());
    ws.on('error', () => void this.close());
  }

  get streamSid(): string | undefined {
    return this.#streamSid;
  }

  /** The call's transcripts and turn records (once the call started). */
  get log(): CallLog | undefined {
    return this.#log;
  }

  /** Ends the call: closes the session and stops the output. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const session = this.#session;
      this.#session = undefined;
      this.#pending = [];
      await session?.close();
      this.#output?.close();
      if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000, 'call ended');
    })();
    return this.#closing;
  }

  #send(message: OutboundMessage): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    const parsed = parseInbound(text);
    if (parsed.kind === 'invalid') {
      this.#print(`telephony: ignored a bad message (${parsed.reason})`);
      return;
    }
    if (parsed.kind === 'ignored') return;
    this.#handle(parsed.message);
  }

  #handle(message: InboundMessage): void {
    switch (message.event) {
      case 'connected':
        return;
      case 'start':
        if (this.#streamSid === undefined && !this.#closing) void this.#start(message);
        return;
      case 'media': {
        if (this.#closing || (message.media.track && message.media.track !== 'inbound')) return;
        const samples = mulawDecode(decodePayload(message.media.payload));
        if (this.#started && this.#session) {
          this.#session.pushAudio(createAudioFrame(samples, PHONE_SAMPLE_RATE));
        } else if (this.#pending.length < MAX_PENDING_FRAMES) {
          this.#pending.push(samples);
        }
        return;
      }
      case 'mark':
        this.marksPlayed.push(message.mark.name);
        return;
      case 'dtmf':
        this.#print(`telephony: caller pressed ${message.dtmf.digit}`);
        return;
      case 'stop':
        void this.close();
        return;
    }
  }

  async #start(message: Extract<InboundMessage, { event: 'start' }>): Promise<void> {
    const streamSid = message.streamSid;
    this.#streamSid = streamSid;
    const encoding = message.start.mediaFormat?.encoding;
    if (encoding && encoding !== 'audio/x-mulaw') {
      this.#print(`telephony: stream ${streamSid} uses ${encoding}; only audio/x-mulaw is supported`);
      void this.close();
      return;
    }
    const output = new PhoneAudioOutput(streamSid, (m) => this.#send(m));
    this.#output = output;
    const session = createSession({
      mode: this.#options.mode,
      backend: this.#options.backend,
      output,
      telephony: true,
    });
    this.#session = session;
    this.#log = new CallLog(session, { print: (line) => this.#print(`[call ${streamSid}] ${line}`) });
    this.#print(`telephony: call ${streamSid} started (${this.#options.mode})`);
    try {
      await session.start(createAgent());
    } catch (error) {
      this.#print(`telephony: could not start the agent: ${(error as Error).message}`);
      void this.close();
      return;
    }
    if (this.#session !== session) return; // the call ended while starting
    this.#started = true;
    for (const samples of this.#pending.splice(0)) {
      session.pushAudio(createAudioFrame(samples, PHONE_SAMPLE_RATE));
    }
    const greeting = message.start.customParameters?.greeting;
    if ((this.#options.greeting ?? true) && greeting !== 'false') session.generateReply();
  }
}
