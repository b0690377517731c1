import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpFetch, nodeBodyOf } from './node-http-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  closed: Promise<void>;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const sockets = new Set<Socket>();
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.once('close', resolve));
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts),
        closed,
      });
      handler(req, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const clients: NodeHttpFetch[] = [];
function client(): NodeHttpFetch {
  const c = new NodeHttpFetch();
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  seen.length = 0;
  handler = (_req, res) => res.end('ok');
});

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

describe('NodeHttpFetch', () => {
  it('sends the method, the headers of a Headers object and the body bytes, and adds nothing else', async () => {
    const body = JSON.stringify({ model: 'grok', messages: [{ role: 'user', content: 'héllo ✓' }] });
    const headers = new Headers({
      Authorization: 'Bearer k',
      'Content-Type': 'application/json',
      'X-Extra': 'a',
    });
    const response = await client().fetch(`${base}/v1/chat/completions?x=1`, {
      method: 'POST',
      headers,
      body,
    });
    await readAll(nodeBodyOf(response)!);
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/chat/completions?x=1');
    expect(request.body.toString('utf8')).toBe(body);
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(request.headers.authorization).toBe('Bearer k');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-extra']).toBe('a');
    expect(request.headers['accept-encoding']).toBeUndefined();
  });

  it('returns a 2xx response without a web body and streams its bytes as they are written', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_1' });
      res.write('data: {"a":1}\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 20);
    };
    const response = await client().fetch(`${base}/s`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(response.body).toBeNull();
    const chunks: string[] = [];
    for await (const chunk of nodeBodyOf(response)!) chunks.push(Buffer.from(chunk).toString('utf8'));
    expect(chunks.join('')).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    expect(chunks.length).toBeGreaterThanOrEqual(2); // not buffered until the end
    expect(nodeBodyOf(new Response('x'))).toBeUndefined();
  });

  it('gives an error status its text body and headers, for the SDK’s error', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end('{"error":{"message":"slow down"}}');
    };
    const response = await client().fetch(`${base}/e`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(nodeBodyOf(response)).toBeUndefined();
    expect(await response.json()).toEqual({ error: { message: 'slow down' } });
  });

  it('rejects with an AbortError when aborted before the response, and drops the request', async () => {
    handler = () => {}; // never answers
    const controller = new AbortController();
    const pending = client().fetch(`${base}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    await until(() => seen.length === 1);
    controller.abort(new Error('user left'));
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AbortError');
    expect((error as Error).message).toBe('user left');
    await seen[0]!.closed; // the server saw the connection go
    const already = client().fetch(`${base}/x`, { signal: AbortSignal.abort() });
    await expect(already).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('destroys the body stream when aborted after the response', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('data: first\n\n'); // and never ends
    };
    const controller = new AbortController();
    const response = await client().fetch(`${base}/open`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    });
    const chunks = nodeBodyOf(response)![Symbol.asyncIterator]();
    expect(Buffer.from((await chunks.next()).value as Uint8Array).toString()).toBe('data: first\n\n');
    const next = chunks.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
    await seen[0]!.closed;
  });

  it('a connection dropped before the body is read: nothing is thrown, and reading the body fails (no silent truncation)', async () => {
    handler = (req, res) => {
      res.writeHead(200);
      res.write('data: partial');
      setTimeout(() => req.socket.destroy(), 10);
    };
    const response = await client().fetch(`${base}/drop`, { method: 'POST', body: '{}' });
    const body = nodeBodyOf(response)!;
    await new Promise<void>((resolve) => body.once('close', () => resolve()));
    await expect(readAll(body)).rejects.toThrow();
  });

  it('reuses its kept-alive connection, and close() ends it', async () => {
    const http = client();
    for (let i = 0; i < 3; i++) {
      const response = await http.fetch(`${base}/k${i}`, { method: 'POST', body: '{}' });
      expect(await readAll(nodeBodyOf(response)!)).toBe('ok');
    }
    expect(sockets.size).toBe(1);
    http.close();
    await until(() => sockets.size === 0);
  });

  it('hands requests it does not make itself to the built-in fetch', async () => {
    const response = await client().fetch(`${base}/form`, {
      method: 'POST',
      body: new URLSearchParams({ a: '1', b: 'two' }),
    });
    expect(nodeBodyOf(response)).toBeUndefined();
    expect(await response.text()).toBe('ok');
    expect(seen[0]!.body.toString()).toBe('a=1&b=two');
    expect(seen[0]!.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
  });
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
