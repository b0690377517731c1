import { afterEach, describe, expect, it } from 'vitest';
import type { WsEndpoint } from './context.js';
import { startSimulatorWith } from './simulator.js';
import { connect, ofType, open, refused } from './test-helpers.js';
import type { Simulator, SimulatorOptions } from './types.js';

/** A scripted endpoint: sends `count` numbered events, then waits for the client to close. */
const counter = (count: number): WsEndpoint => ({
  handle(connection) {
    for (let i = 0; i < count; i++) connection.sendJson({ type: 'test.event', n: i });
    connection.onText((text) => {
      if (text === 'bye') connection.close(1000, 'bye');
    });
  },
});

let sim: Simulator | undefined;
let clock = 1_700_000_000_000;

async function start(count = 5, options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulatorWith({ now: () => clock, ...options }, { realtime: counter(count) });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function post(url: string, body: unknown, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('startSimulator', () => {
  it('listens on loopback and reports its URLs', async () => {
    const s = await start();
    expect(s.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(s.wsUrl).toBe(s.httpUrl.replace('http:', 'ws:'));
    expect(s.port).toBeGreaterThan(0);
  });

  it('answers unknown paths with 404 in xAI shape and sets x-request-id', async () => {
    const s = await start();
    const res = await fetch(`${s.httpUrl}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^sim-req-/);
    const body = (await res.json()) as { code: string; error: string };
    expect(body.code).toBe('Some requested entity was not found');
    expect(body.error).toContain('/v1/nope');
    const refusal = await refused(`${s.wsUrl}/nope`, { key: 'k' });
    expect(refusal.status).toBe(404);
  });

  it('close() terminates open WebSockets and is idempotent', async () => {
    const s = await start(0);
    const { rec } = await open(`${s.wsUrl}/realtime`);
    await Promise.all([s.close(), s.close()]);
    const closed = await rec.closed;
    expect(closed.code).toBe(1006);
    expect(s.log.connections[0]?.closedAt).toBeTypeOf('number');
  });
});

describe('auth', () => {
  it('accepts a Bearer key on WebSockets and logs the header redacted', async () => {
    const s = await start(1);
    const { ws, rec } = await open(`${s.wsUrl}/realtime?model=m&x=1`, 'xai-secret-key-123456');
    await rec.until(ofType('test.event'));
    ws.close();
    await rec.closed;
    const conn = s.log.connections[0]!;
    expect(conn.accepted).toBe(true);
    expect(conn.auth).toBe('api_key');
    expect(conn.query).toEqual({ model: 'm', x: '1' });
    expect(conn.headers.authorization).toBe('Bearer xa***...***');
    expect(JSON.stringify(s.log)).not.toContain('secret-key-123456');
  });

  it('refuses a missing key with 401 and an invalid key with 400 without echoing it', async () => {
    const s = await start();
    const missing = await refused(`${s.wsUrl}/realtime`);
    expect(missing.status).toBe(401);
    const invalid = await refused(`${s.wsUrl}/realtime`, { key: 'invalid-key-abcdef' });
    expect(invalid.status).toBe(400);
    const body = JSON.parse(invalid.body) as { code: string; error: string };
    expect(body.code).toBe('Client specified an invalid argument');
    expect(body.error).toBe(
      'Incorrect API key provided: in***...***. You can obtain an API key from https://console.x.ai.',
    );
    expect(invalid.body).not.toContain('key-abcdef');
    expect(s.log.connections.map((c) => [c.accepted, c.refusedStatus])).toEqual([
      [false, 401],
      [false, 400],
    ]);
  });

  it('restricts keys with the apiKeys option', async () => {
    sim = await startSimulatorWith({ apiKeys: ['good-key'] }, { realtime: counter(0) });
    expect((await refused(`${sim.wsUrl}/realtime`, { key: 'other-key' })).status).toBe(400);
    const { ws } = await open(`${sim.wsUrl}/realtime`, 'good-key');
    ws.close();
  });

  it('mints client secrets that open WebSockets through the subprotocol until they expire', async () => {
    const s = await start(1);
    const missing = await post(`${s.httpUrl}/realtime/client_secrets`, {});
    expect(missing.status).toBe(401);
    const res = await post(`${s.httpUrl}/realtime/client_secrets`, { expires_after: { seconds: 60 } }, 'key');
    expect(res.status).toBe(200);
    const secret = (await res.json()) as { value: string; expires_at: number };
    expect(Object.keys(secret).sort()).toEqual(['expires_at', 'value']);
    expect(secret.expires_at).toBe(Math.floor(clock / 1000) + 60);

    const protocol = `xai-client-secret.${secret.value}`;
    const ok = await connect(`${s.wsUrl}/realtime`, { protocols: [protocol] });
    if (!('ws' in ok)) throw new Error(`refused: ${ok.refusal.body}`);
    expect(ok.protocol).toBe(protocol);
    ok.ws.close();
    expect(s.log.connections[0]?.auth).toBe('client_secret');
    expect(s.log.connections[0]?.headers['sec-websocket-protocol']).toBe('xai-client-secret.***');

    clock += 61_000;
    const expired = await refused(`${s.wsUrl}/realtime`, { protocols: [protocol] });
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.body).error).toMatch(/expired/);
    const unknown = await refused(`${s.wsUrl}/realtime`, { protocols: ['xai-client-secret.nope'] });
    expect(unknown.status).toBe(401);
  });

  it('defaults client secrets to 600 s and validates expires_after.seconds', async () => {
    const s = await start();
    const res = await post(`${s.httpUrl}/realtime/client_secrets`, {}, 'key');
    expect(((await res.json()) as { expires_at: number }).expires_at).toBe(Math.floor(clock / 1000) + 600);
    for (const seconds of [0, 3601, 1.5, 'x']) {
      const bad = await post(`${s.httpUrl}/realtime/client_secrets`, { expires_after: { seconds } }, 'key');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/expires_after.seconds/);
    }
  });
});

describe('WebSocket faults', () => {
  it('handshake: refuses with the status and retry-after, for the next N connections only', async () => {
    const s = await start(0);
    s.injectFault('realtime', { kind: 'handshake', status: 429, retryAfterS: 3 }, { times: 2 });
    for (let i = 0; i < 2; i++) {
      const refusal = await refused(`${s.wsUrl}/realtime`, { key: 'k' });
      expect(refusal.status).toBe(429);
      expect(refusal.headers['retry-after']).toBe('3');
      expect(JSON.parse(refusal.body).code).toMatch(/exhausted/);
    }
    const { ws } = await open(`${s.wsUrl}/realtime`);
    ws.close();
  });

  it('sim_fault query flag applies to that connection; bad JSON is refused with 400', async () => {
    const s = await start(0);
    const fault = encodeURIComponent(JSON.stringify({ kind: 'handshake', status: 503 }));
    expect((await refused(`${s.wsUrl}/realtime?sim_fault=${fault}`, { key: 'k' })).status).toBe(503);
    const bad = await refused(`${s.wsUrl}/realtime?sim_fault=%7Bnope`, { key: 'k' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/sim_fault/);
  });

  it('drop: destroys the socket without a close frame after N messages', async () => {
    const s = await start(5);
    s.injectFault('realtime', { kind: 'drop', afterMessages: 2 });
    const { rec } = await open(`${s.wsUrl}/realtime`);
    const closed = await rec.closed;
    expect(closed.code).toBe(1006);
    expect(rec.json.map((e) => e.n)).toEqual([0, 1]);
    expect(s.log.connections[0]?.dropped).toBe(true);
  });

  it('drop afterMs: cuts the socket after a time', async () => {
    const s = await start(0);
    const fault = encodeURIComponent(JSON.stringify({ kind: 'drop', afterMs: 30 }));
    const started = Date.now();
    const { rec } = await open(`${s.wsUrl}/realtime?sim_fault=${fault}`);
    const closed = await rec.closed;
    expect(closed.code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('malformed, unknown_event and huge: one extra frame after N messages, order kept', async () => {
    const s = await start(3);
    s.injectFault('realtime', { kind: 'malformed', afterMessages: 1 });
    s.injectFault('realtime', { kind: 'unknown_event', afterMessages: 2 });
    s.injectFault('realtime', { kind: 'huge', bytes: 200_000, afterMessages: 3 });
    const { ws, rec } = await open(`${s.wsUrl}/realtime`);
    await rec.until(ofType('sim.huge'));
    expect(rec.text).toHaveLength(6);
    expect(JSON.parse(rec.text[0]!).n).toBe(0);
    expect(() => JSON.parse(rec.text[1]!)).toThrow();
    expect(JSON.parse(rec.text[2]!).n).toBe(1);
    expect(JSON.parse(rec.text[3]!).type).toBe('sim.unknown_event');
    expect(JSON.parse(rec.text[4]!).n).toBe(2);
    expect(rec.text[5]!.length).toBe(200_000);
    ws.send('bye');
    expect((await rec.closed).code).toBe(1000);
  });

  it('delay and stall slow the messages down without reordering them', async () => {
    const s = await start(3);
    const delayed = encodeURIComponent(JSON.stringify([{ kind: 'delay', ms: 20 }]));
    let started = Date.now();
    let { ws, rec } = await open(`${s.wsUrl}/realtime?sim_fault=${delayed}`);
    await rec.until(ofType('test.event'), 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(rec.json.map((e) => e.n)).toEqual([0, 1, 2]);
    ws.close();

    s.injectFault('realtime', { kind: 'stall', ms: 80, afterMessages: 1 });
    started = Date.now();
    ({ ws, rec } = await open(`${s.wsUrl}/realtime`));
    await rec.until(ofType('test.event'), 1);
    const first = Date.now() - started;
    await rec.until(ofType('test.event'), 3);
    expect(first).toBeLessThan(60);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(rec.json.map((e) => e.n)).toEqual([0, 1, 2]);
    ws.close();
    expect(s.log.connections[1]?.faults).toEqual([{ kind: 'stall', ms: 80, afterMessages: 1 }]);
  });

  it('clearFaults() forgets injected faults; injectFault validates its input', async () => {
    const s = await start(0);
    s.injectFault('realtime', { kind: 'handshake', status: 500 });
    s.clearFaults();
    const { ws } = await open(`${s.wsUrl}/realtime`);
    ws.close();
    expect(() => s.injectFault('realtime', { kind: 'nope' } as never)).toThrow(/Unknown fault kind/);
    expect(() => s.injectFault('realtime', { kind: 'handshake', status: 418 } as never)).toThrow(/status/);
    expect(() => s.injectFault('bogus' as never, { kind: 'delay', ms: 1 })).toThrow(/endpoint/);
  });

  it('logs client JSON events in order and binary byte counts', async () => {
    const s = await start(0);
    const { ws, rec } = await open(`${s.wsUrl}/realtime`);
    ws.send(JSON.stringify({ type: 'a' }));
    ws.send(Buffer.alloc(320));
    ws.send('not json');
    ws.send(
      JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.alloc(30).toString('base64') }),
    );
    ws.send('bye');
    await rec.closed;
    const conn = s.log.connections[0]!;
    expect(conn.clientEvents).toEqual([
      { type: 'a' },
      { raw: 'not json' },
      { type: 'input_audio_buffer.append', audio: Buffer.alloc(30).toString('base64') },
      { raw: 'bye' },
    ]);
    expect(conn.audioBytesReceived).toBe(350);
    expect(conn.droppedClientEvents).toBe(0);
    s.log.clear();
    expect(s.log.connections).toHaveLength(0);
  });

  it('logAudioPayloads: false logs appends with their decoded size instead of the audio', async () => {
    const s = await start(0, { logAudioPayloads: false });
    const { ws, rec } = await open(`${s.wsUrl}/realtime`);
    const audio = Buffer.alloc(30, 7).toString('base64');
    ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio }));
    ws.send(
      JSON.stringify({
        type: 'input_audio_buffer.append',
        event_id: 'e1',
        audio: Buffer.alloc(5).toString('base64'),
      }),
    );
    ws.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    ws.send(Buffer.alloc(320));
    ws.send('bye');
    await rec.closed;
    const conn = s.log.connections[0]!;
    expect(conn.clientEvents).toEqual([
      { type: 'input_audio_buffer.append', audioBytes: 30 },
      { type: 'input_audio_buffer.append', event_id: 'e1', audioBytes: 5 },
      { type: 'input_audio_buffer.commit' },
      { raw: 'bye' },
    ]);
    expect(JSON.stringify(conn.clientEvents)).not.toContain(audio);
    expect(conn.audioBytesReceived).toBe(30 + 5 + 320);
  });

  it('maxLoggedEvents keeps the most recent client events and counts the dropped ones', async () => {
    const s = await start(0, { maxLoggedEvents: 3 });
    const { ws, rec } = await open(`${s.wsUrl}/realtime`);
    for (let n = 0; n < 6; n++)
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', n, audio: 'AAAA' }));
    ws.send('bye');
    await rec.closed;
    const conn = s.log.connections[0]!;
    // Payloads are kept by default; every append still counts towards audioBytesReceived.
    expect(conn.clientEvents).toEqual([
      { type: 'input_audio_buffer.append', n: 4, audio: 'AAAA' },
      { type: 'input_audio_buffer.append', n: 5, audio: 'AAAA' },
      { raw: 'bye' },
    ]);
    expect(conn.droppedClientEvents).toBe(4);
    expect(conn.audioBytesReceived).toBe(6 * 3);
  });

  it('maxLoggedEvents: 0 logs no events at all', async () => {
    const s = await start(0, { maxLoggedEvents: 0 });
    const { ws, rec } = await open(`${s.wsUrl}/realtime`);
    ws.send(JSON.stringify({ type: 'a' }));
    ws.send('bye');
    await rec.closed;
    expect(s.log.connections[0]!.clientEvents).toEqual([]);
    expect(s.log.connections[0]!.droppedClientEvents).toBe(2);
  });

  it('rejects bad log options', async () => {
    await expect(start(0, { logAudioPayloads: 'no' as never })).rejects.toThrow(/logAudioPayloads/);
    await expect(start(0, { maxLoggedEvents: -1 })).rejects.toThrow(/maxLoggedEvents/);
    await expect(start(0, { maxLoggedEvents: 2.5 })).rejects.toThrow(/maxLoggedEvents/);
  });
});
