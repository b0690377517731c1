import { describe, expect, it } from 'vitest';
import { TypedEventEmitter } from './typed-emitter.js';

type Events = {
  value: (n: number, label: string) => void;
  done: () => void;
};

describe('TypedEventEmitter', () => {
  it('delivers typed arguments to on/once listeners and removes them with off', () => {
    const emitter = new TypedEventEmitter<Events>();
    const seen: string[] = [];
    const listener = (n: number, label: string) => seen.push(`${label}:${n}`);
    emitter.on('value', listener);
    emitter.once('value', (n) => seen.push(`once:${n}`));
    emitter.emit('value', 1, 'a');
    emitter.emit('value', 2, 'b');
    emitter.off('value', listener);
    emitter.emit('value', 3, 'c');
    expect(seen).toEqual(['a:1', 'once:1', 'b:2']);
    expect(emitter.listenerCount('value')).toBe(0);
  });

  it('waitFor resolves with the next event and leaves no listener behind', async () => {
    const emitter = new TypedEventEmitter<Events>();
    const waiting = emitter.waitFor('value', { timeoutMs: 1000 });
    emitter.emit('value', 7, 'x');
    await expect(waiting).resolves.toEqual([7, 'x']);
    expect(emitter.listenerCount('value')).toBe(0);
  });

  it('waitFor rejects on timeout and on abort, cleaning up', async () => {
    const emitter = new TypedEventEmitter<Events>();
    await expect(emitter.waitFor('done', { timeoutMs: 5 })).rejects.toThrow(
      /timed out after 5 ms waiting for "done"/,
    );
    const controller = new AbortController();
    const waiting = emitter.waitFor('done', { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(emitter.listenerCount('done')).toBe(0);
  });
});
