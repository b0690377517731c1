import { mulawDecode, mulawEncode } from '@x/audio';
import { synthesizeVoice } from '@x/simulator';
import WebSocket from 'ws';
import { CallerMicrophone } from '../demo/caller-microphone.js';

export type PhoneEvent =
  | { type: 'media'; pcm: Int16Array; atMs: number }
  | { type: 'mark'; name: string; atMs: number }
  | { type: 'clear'; atMs: number };

/**
 * The phone provider's side of a media stream, as Twilio speaks it: `connected`, `start`, the
 * caller's microphone as 20 ms µ-law `media` messages in real time, `mark` echoed back once
 * "played", and `stop`. Records what the agent sends.
 */
export class FakePhone {
  readonly streamSid: string;
  readonly events: PhoneEvent[] = [];
  /** Protocol problems seen in what the agent sent. */
  readonly problems: string[] = [];
  readonly #ws: WebSocket;
  readonly #mic: CallerMicrophone;
  readonly #t0 = performance.now();
  #sequence = 0;
  #chunk = 0;

  private constructor(ws: WebSocket, streamSid: string) {
    this.#ws = ws;
    this.streamSid = streamSid;
    this.#mic = new CallerMicrophone({
      sampleRate: 8000,
      onFrame: (frame) => {
        this.#chunk++;
        this.#send({
          event: 'media',
          sequenceNumber: String(++this.#sequence),
          streamSid,
          media: {
            track: 'inbound',
            chunk: String(this.#chunk),
            timestamp: String(this.#chunk * 20),
            payload: Buffer.from(mulawEncode(frame.data)).toString('base64'),
          },
        });
      },
    });
    ws.on('message', (data) => this.#onMessage(String(data)));
  }

  /** Connects, sends `connected` and `start`, and starts the microphone. */
  static async call(url: string, options: { streamSid: string; greeting?: boolean }): Promise<FakePhone> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const phone = new FakePhone(ws, options.streamSid);
    phone.#send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    phone.#send({
      event: 'start',
      sequenceNumber: String(++phone.#sequence),
      streamSid: options.streamSid,
      start: {
        accountSid: 'AC0000',
        callSid: 'CA0000',
        streamSid: options.streamSid,
        tracks: ['inbound'],
        customParameters: options.greeting === false ? { greeting: 'false' } : {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    phone.#mic.start();
    return phone;
  }

  get elapsedMs(): number {
    return performance.now() - this.#t0;
  }

  /** The caller says `text` (the simulator's voice at 8 kHz); resolves once it was sent. */
  say(text: string): Promise<void> {
    return this.#mic.speak(synthesizeVoice(text, 8000));
  }

  /** Agent audio received (8 kHz PCM), from event `from` on (e.g. after a `clear`). */
  audio(from = 0, to = this.events.length): Int16Array {
    const parts = this.events.slice(from, to).flatMap((e) => (e.type === 'media' ? [e.pcm] : []));
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /** Hangs up (`stop`, then the socket closes). */
  async hangUp(): Promise<void> {
    this.#mic.stop();
    this.#send({
      event: 'stop',
      sequenceNumber: String(++this.#sequence),
      streamSid: this.streamSid,
      stop: {},
    });
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2000);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #send(message: Record<string, unknown>): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as {
      event: string;
      streamSid: string;
      media?: { payload: string };
      mark?: { name: string };
    };
    if (message.streamSid !== this.streamSid) this.problems.push(`wrong streamSid ${message.streamSid}`);
    const atMs = this.elapsedMs;
    if (message.event === 'media' && message.media) {
      const bytes = Buffer.from(message.media.payload, 'base64');
      this.events.push({ type: 'media', pcm: mulawDecode(new Uint8Array(bytes)), atMs });
    } else if (message.event === 'mark' && message.mark) {
      this.events.push({ type: 'mark', name: message.mark.name, atMs });
      // Twilio echoes a mark once the audio before it has played.
      this.#send({
        event: 'mark',
        sequenceNumber: String(++this.#sequence),
        streamSid: this.streamSid,
        mark: message.mark,
      });
    } else if (message.event === 'clear') {
      this.events.push({ type: 'clear', atMs });
    } else {
      this.problems.push(`unexpected message ${text.slice(0, 80)}`);
    }
  }
}
