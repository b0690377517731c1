import { afterEach, describe, expect, it } from 'vitest';
import { FakeWebSocket } from './fake-websocket.js';
import { keepAlive } from './keep-alive.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openSocket(): FakeWebSocket {
  const socket = new FakeWebSocket('ws://example.test/', { headers: {}, perMessageDeflate: false });
  socket.accept();
  return socket;
}

afterEach(() => {
  FakeWebSocket.instances = [];
});

describe('keepAlive', () => {
  it('pings every interval while open and stops by itself when the socket closes', async () => {
    const socket = openSocket();
    keepAlive(socket, 10);
    expect(socket.listenerCount('close')).toBe(1);
    await sleep(55);
    const sent = socket.pings;
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(sent).toBeLessThanOrEqual(6);
    socket.peerClosed();
    expect(socket.listenerCount('close')).toBe(0);
    await sleep(30);
    expect(socket.pings).toBe(sent);
  });

  it('the returned function stops it (idempotent); nothing is sent while the socket is not open', async () => {
    const socket = openSocket();
    const stop = keepAlive(socket, 10);
    stop();
    stop();
    expect(socket.listenerCount('close')).toBe(0);
    await sleep(30);
    expect(socket.pings).toBe(0);

    const closing = openSocket();
    const stopClosing = keepAlive(closing, 10);
    closing.close(1000, 'bye'); // CLOSING: no ping, the interval keeps waiting for `close`
    await sleep(30);
    expect(closing.pings).toBe(0);
    stopClosing();
  });
});
