import { afterEach, describe, expect, it } from 'vitest';
import {
  APIError,
  type APIStatusError,
  isAPIConnectionError,
  isAPIStatusError,
  isAPITimeoutError,
} from '../errors/errors.js';
import { FakeHandshakeResponse, FakeWebSocket } from './fake-websocket.js';
import {
  closeDetail,
  closeWebSocket,
  type OpenWebSocketOptions,
  openWebSocket,
  socketMessageBytes,
  socketMessageText,
} from './open-websocket.js';
import { WebSocketState } from './websocket-like.js';

const EVENTS = ['open', 'message', 'close', 'error', 'upgrade', 'unexpected-response'] as const;

/** Listeners left on the socket, by event. */
function listenerCounts(socket: FakeWebSocket): Record<string, number> {
  return Object.fromEntries(EVENTS.map((event) => [event, socket.listenerCount(event)]));
}

const NO_LISTENERS_BUT_ERROR = {
  open: 0,
  message: 0,
  close: 0,
  error: 1,
  upgrade: 0,
  'unexpected-response': 0,
};

const BASE = {
  url: 'ws://example.test/v1/stt',
  WebSocket: FakeWebSocket,
  headers: { Authorization: 'Bearer xai-secret-key-123456' },
  label: 'Test svc',
} satisfies OpenWebSocketOptions<FakeWebSocket>;

function open(extra: Partial<OpenWebSocketOptions<FakeWebSocket>> = {}) {
  return openWebSocket({ ...BASE, ...extra });
}

/** Lets `terminate`'s next-tick events and pending promise callbacks run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  FakeWebSocket.instances = [];
});

describe('openWebSocket', () => {
  it('without isReady: resolves on open with the socket and the upgrade x-request-id; sends the headers', async () => {
    const opening = open();
    const socket = FakeWebSocket.last();
    expect(socket.url).toBe('ws://example.test/v1/stt');
    expect(socket.options).toEqual({
      headers: { Authorization: 'Bearer xai-secret-key-123456' },
      perMessageDeflate: false,
    });
    socket.accept({ 'x-request-id': 'req-42' });
    const opened = await opening;
    expect(opened.socket).toBe(socket);
    expect(opened.requestId).toBe('req-42');
    expect(socket.terminated).toBe(false);
    // Only the no-op error listener is left: an error before yours is attached cannot crash.
    expect(listenerCounts(socket)).toEqual(NO_LISTENERS_BUT_ERROR);
    expect(() => socket.emit('error', new Error('late'))).not.toThrow();
  });

  it('hands over the connection under the WebSocket when it can be corked, and nothing otherwise', async () => {
    const corkable = { cork: () => {}, uncork: () => {} };
    const withTransport = open();
    FakeWebSocket.last().accept({}, corkable);
    expect((await withTransport).transport).toBe(corkable);
    const plain = open();
    FakeWebSocket.last().accept({}, { write: () => {} });
    expect((await plain).transport).toBeUndefined();
    const none = open();
    FakeWebSocket.last().accept();
    expect((await none).transport).toBeUndefined();
  });

  it('with isReady: ignores binary and not-ready messages, resolves on the ready one; isReady may send', async () => {
    const seen: string[] = [];
    const opening = open({
      isReady: (message, socket) => {
        seen.push(message);
        if (message === 'hello') socket.send('session.update');
        return message === 'ready';
      },
    });
    const socket = FakeWebSocket.last();
    let resolved = false;
    void opening.then(() => {
      resolved = true;
    });
    socket.accept();
    socket.emit('message', Buffer.from('binary'), true);
    socket.serverText('hello');
    await tick();
    expect(resolved).toBe(false);
    expect(socket.sent).toEqual(['session.update']);
    // Text in fragments and as an ArrayBuffer is decoded too.
    socket.emit('message', [Buffer.from('rea'), Buffer.from('dy')], false);
    const opened = await opening;
    expect(opened.socket).toBe(socket);
    expect(opened.requestId).toBeNull();
    expect(seen).toEqual(['hello', 'ready']);
    expect(listenerCounts(socket)).toEqual(NO_LISTENERS_BUT_ERROR);
  });

  it('adopt runs synchronously at ready, so a message right behind the ready one is not missed', async () => {
    const received: string[] = [];
    const opening = openWebSocket({
      ...BASE,
      isReady: (message) => message === 'ready',
      adopt: ({ socket, requestId }) => {
        socket.on('message', (data) => received.push(socketMessageText(data)));
        return { kind: 'connection', socket, requestId };
      },
    });
    const socket = FakeWebSocket.last();
    socket.accept({ 'x-request-id': 'r' });
    // Both in the same tick, as `ws` emits the frames of one TCP read.
    socket.serverText('ready');
    socket.serverText('first transcript');
    const connection = await opening;
    expect(connection).toEqual({ kind: 'connection', socket, requestId: 'r' });
    expect(received).toEqual(['first transcript']);
  });

  it('an APIError from isReady refuses the session: rejected with it, socket destroyed, listeners removed', async () => {
    const refusal = new APIError('refused: bad config', { retryable: false });
    const opening = open({ isReady: (message) => (message === 'error' ? refusal : false) });
    const socket = FakeWebSocket.last();
    socket.accept();
    socket.serverText('error');
    await expect(opening).rejects.toBe(refusal);
    expect(socket.terminated).toBe(true);
    await tick(); // the fake emits error + close on termination: swallowed, nothing thrown
    expect(listenerCounts(socket)).toEqual(NO_LISTENERS_BUT_ERROR);
  });

  it('isReady throwing a plain error rejects with an APIConnectionError carrying it', async () => {
    const opening = open({
      isReady: () => {
        throw new TypeError('parser blew up');
      },
    });
    const socket = FakeWebSocket.last();
    socket.accept();
    socket.serverText('x');
    const error = await opening.catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect((error as Error).message).toBe('Test svc refused the session: parser blew up');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(socket.terminated).toBe(true);
  });

  it('a refused handshake becomes an APIStatusError with status, request id, retry-after and the server text', async () => {
    const opening = open();
    const socket = FakeWebSocket.last();
    const response = new FakeHandshakeResponse(429, { 'retry-after': '0.3', 'x-request-id': 'rq-9' });
    socket.emit('unexpected-response', {}, response);
    response.emit('data', Buffer.from('{"code":"Resource exhausted",'));
    response.emit('data', Buffer.from('"error":"Too many requests"}'));
    response.emit('end');
    const error = (await opening.catch((e: unknown) => e)) as APIStatusError;
    expect(isAPIStatusError(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(300);
    expect(error.requestId).toBe('rq-9');
    expect(error.message).toBe('Test svc handshake refused with HTTP 429: Too many requests');
    expect(error.body).toEqual({ code: 'Resource exhausted', error: 'Too many requests' });
    expect(socket.terminated).toBe(true);
  });

  it('reads at most maxErrorBodyBytes of a refused handshake, then stops reading', async () => {
    const opening = open({ maxErrorBodyBytes: 64 });
    const socket = FakeWebSocket.last();
    const response = new FakeHandshakeResponse(503);
    socket.emit('unexpected-response', {}, response);
    for (let i = 0; i < 10; i++) response.emit('data', Buffer.from('y'.repeat(40)));
    // Never ends: the bound alone settles it.
    const error = (await opening.catch((e: unknown) => e)) as APIStatusError;
    expect(error.status).toBe(503);
    expect(error.body).toBe('y'.repeat(64));
    expect(response.destroyed).toBe(true);
    expect(response.listenerCount('data')).toBe(0);
  });

  it('a refused handshake whose body stream errors still rejects with the status', async () => {
    const opening = open();
    const socket = FakeWebSocket.last();
    const response = new FakeHandshakeResponse(401);
    socket.emit('unexpected-response', {}, response);
    response.emit('data', Buffer.from('partial'));
    response.emit('error', new Error('socket hang up'));
    const error = (await opening.catch((e: unknown) => e)) as APIStatusError;
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('Test svc handshake refused with HTTP 401: partial');
  });

  it('a socket error before ready is an APIConnectionError with a redacted message', async () => {
    const opening = open();
    const socket = FakeWebSocket.last();
    socket.emit('error', new Error('connect ECONNREFUSED (Bearer xai-secret-key-123456)'));
    const error = await opening.catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect(isAPIStatusError(error)).toBe(false);
    expect((error as Error).message).toBe(
      'Test svc connection failed: connect ECONNREFUSED (Bearer [REDACTED])',
    );
    expect((error as APIError).retryable).toBe(true);
    expect(socket.terminated).toBe(true);
    await tick();
    expect(listenerCounts(socket)).toEqual(NO_LISTENERS_BUT_ERROR);
  });

  it('a close before ready is an APIConnectionError naming the code and reason', async () => {
    const opening = open({ isReady: () => false });
    const socket = FakeWebSocket.last();
    socket.accept();
    socket.emit('close', 1011, Buffer.from('server overloaded'));
    const error = await opening.catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Test svc connection closed before it was ready (code 1011: server overloaded)',
    );
  });

  it('an aborted signal: rejects with its reason before constructing, or destroys the socket when aborted later', async () => {
    const before = new AbortController();
    const reason = new APIError('stop', { retryable: false });
    before.abort(reason);
    await expect(open({ signal: before.signal })).rejects.toBe(reason);
    expect(FakeWebSocket.instances).toHaveLength(0);

    const during = new AbortController();
    const opening = open({ signal: during.signal, isReady: () => false });
    const socket = FakeWebSocket.last();
    socket.accept();
    during.abort(reason);
    await expect(opening).rejects.toBe(reason);
    expect(socket.terminated).toBe(true);
  });

  it('timeoutMs bounds the whole opening with an APITimeoutError', async () => {
    const started = performance.now();
    const opening = open({ timeoutMs: 30, isReady: () => false });
    FakeWebSocket.last().accept();
    const error = await opening.catch((e: unknown) => e);
    expect(isAPITimeoutError(error)).toBe(true);
    expect((error as Error).message).toBe('Test svc connection not ready within 30 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(FakeWebSocket.last().terminated).toBe(true);
  });

  it('a constructor that throws (bad URL) is an APIConnectionError', async () => {
    FakeWebSocket.throwOnConstruct = new SyntaxError('Invalid URL: nope');
    const error = await open({ url: 'nope' }).catch((e: unknown) => e);
    expect(isAPIConnectionError(error)).toBe(true);
    expect((error as Error).message).toBe('Test svc connection failed: Invalid URL: nope');
  });

  it('adopt throwing rejects with its error and destroys the socket', async () => {
    const oops = new Error('adopt failed');
    const opening = openWebSocket({
      ...BASE,
      adopt: () => {
        throw oops;
      },
    });
    const socket = FakeWebSocket.last();
    socket.accept();
    await expect(opening).rejects.toBe(oops);
    expect(socket.terminated).toBe(true);
  });

  it('after ready the helper listens no more: later events reach only the caller', async () => {
    const opening = open();
    const socket = FakeWebSocket.last();
    socket.accept();
    const opened = await opening;
    expect(opened.socket).toBe(socket);
    // The helper's listeners are gone: a close now reaches only listeners attached by the caller.
    const closes: number[] = [];
    socket.on('close', (code: number) => closes.push(code));
    socket.peerClosed(1001);
    expect(closes).toEqual([1001]);
  });
});

describe('closeWebSocket', () => {
  it('sends a close frame and resolves when the peer closes', async () => {
    const socket = new FakeWebSocket('ws://x', { headers: {}, perMessageDeflate: false });
    socket.accept();
    const closing = closeWebSocket(socket, { code: 1000, reason: 'done', graceMs: 1000 });
    expect(socket.closeFrame).toEqual({ code: 1000, reason: 'done' });
    socket.peerClosed();
    await closing;
    expect(socket.terminated).toBe(false);
  });

  it('destroys the socket when the peer does not answer within graceMs', async () => {
    const socket = new FakeWebSocket('ws://x', { headers: {}, perMessageDeflate: false });
    socket.accept();
    const started = performance.now();
    await closeWebSocket(socket, { graceMs: 30 });
    expect(socket.terminated).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('a closed socket resolves at once; a connecting one is destroyed', async () => {
    const closed = new FakeWebSocket('ws://x', { headers: {}, perMessageDeflate: false });
    closed.readyState = WebSocketState.CLOSED;
    await closeWebSocket(closed);
    expect(closed.terminated).toBe(false);
    const connecting = new FakeWebSocket('ws://x', { headers: {}, perMessageDeflate: false });
    connecting.on('error', () => {});
    await closeWebSocket(connecting);
    expect(connecting.terminated).toBe(true);
    expect(connecting.closeFrame).toBeNull();
  });
});

describe('message helpers', () => {
  it('decode text and bytes from a buffer, an ArrayBuffer and fragments', () => {
    const bytes = new TextEncoder().encode('héllo');
    expect(socketMessageText(Buffer.from('héllo'))).toBe('héllo');
    expect(socketMessageText(bytes.buffer.slice(0) as ArrayBuffer)).toBe('héllo');
    expect(socketMessageText([bytes.subarray(0, 2), bytes.subarray(2)])).toBe('héllo');
    const buffer = Buffer.from([1, 2, 3]);
    const view = socketMessageBytes(buffer);
    expect([...view]).toEqual([1, 2, 3]);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(view.buffer).toBe(buffer.buffer); // a view, not a copy
    expect([...socketMessageBytes([new Uint8Array([1]), new Uint8Array([2, 3])])]).toEqual([1, 2, 3]);
    expect([...socketMessageBytes(new Uint8Array([4, 5]).buffer)]).toEqual([4, 5]);
  });

  it('closeDetail names the code and the redacted reason', () => {
    expect(closeDetail(1006, Buffer.alloc(0))).toBe('code 1006');
    expect(closeDetail(4001, Buffer.from('bad key xai-abcdefgh'))).toBe('code 4001: bad key xai-[REDACTED]');
    expect(closeDetail(1000, 'bye')).toBe('code 1000: bye');
  });
});
