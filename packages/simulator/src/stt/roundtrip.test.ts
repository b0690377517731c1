import { mulawEncode, resample } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../server/simulator.js';
import { ofType, open } from '../server/test-helpers.js';
import type { Simulator } from '../server/types.js';

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function pcm(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

describe('TTS → resample → G.711 → STT through the simulator', () => {
  it('gives back the spoken text', async () => {
    sim = await startSimulator();
    const text = 'Your table for 4 is booked at 7:30 pm, see you then!';
    const tts = await open(`${sim.wsUrl}/tts?language=en&codec=pcm&sample_rate=24000&voice=rex`);
    for (const delta of ['Your table for ', '4 is booked', ' at 7:30 pm, see you then!']) {
      tts.ws.send(JSON.stringify({ type: 'text.delta', delta }));
    }
    tts.ws.send(JSON.stringify({ type: 'text.done' }));
    await tts.rec.until(ofType('audio.done'));
    tts.ws.close();
    const audio24k = pcm(
      Buffer.concat(
        tts.rec.json
          .filter((e) => e.type === 'audio.delta')
          .map((e) => Buffer.from(e.delta as string, 'base64')),
      ),
    );
    const phone = mulawEncode(resample(audio24k, 24000, 8000));
    const stt = await open(`${sim.wsUrl}/stt?sample_rate=8000&encoding=mulaw&endpointing=200`);
    await stt.rec.until(ofType('transcript.created'));
    for (let i = 0; i < phone.length; i += 800) stt.ws.send(phone.subarray(i, i + 800));
    stt.ws.send(new Uint8Array(2400).fill(0xff)); // 300 ms of µ-law silence
    stt.ws.send(JSON.stringify({ type: 'audio.done' }));
    await stt.rec.until(ofType('transcript.done'));
    const finals = stt.rec.json.filter((e) => e.type === 'transcript.partial' && e.speech_final);
    expect(finals.map((f) => f.text)).toEqual([text]);
  });
});
