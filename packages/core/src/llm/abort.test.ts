import { describe, expect, it } from 'vitest';
import { StreamRace } from './abort.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

describe('StreamRace', () => {
  it('settles with each promise, value or error, and leaves nothing behind once disposed', async () => {
    const before = timeouts();
    const controller = new AbortController();
    const race = new StreamRace(controller.signal);
    race.watchIdle(1000, () => controller.abort(new Error('idle')));
    expect(await race.next(Promise.resolve(1))).toBe(1);
    await expect(race.next(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await race.next(sleep(5).then(() => 'late'))).toBe('late');
    // Between calls nothing waits: the idle timer does not hold the event loop.
    expect(timeouts()).toBe(before);
    const pending = race.next(new Promise(() => {}));
    expect(timeouts()).toBe(before + 1);
    race.dispose();
    race.dispose();
    expect(timeouts()).toBe(before);
    controller.abort(new Error('after dispose'));
    // Disposed: the abort no longer reaches the pending call.
    const outcome = await Promise.race([
      pending.then(
        () => 'settled',
        () => 'rejected',
      ),
      sleep(20),
    ]);
    expect(outcome).toBeUndefined();
  });

  it('rejects with the signal reason as soon as it aborts, without an unhandled rejection', async () => {
    const controller = new AbortController();
    const race = new StreamRace(controller.signal);
    let rejectLate: (error: Error) => void = () => {};
    const slow = new Promise<string>((_, reject) => {
      rejectLate = reject;
    });
    const reason = new Error('cancelled');
    setTimeout(() => controller.abort(reason), 5);
    const started = performance.now();
    await expect(race.next(slow)).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(500);
    rejectLate(new Error('the provider noticed late')); // handled: no unhandled rejection
    // Already aborted: rejects at once, and the given promise's rejection is handled too.
    await expect(race.next(Promise.reject(new Error('ignored')))).rejects.toBe(reason);
    race.dispose();
  });

  it('calls onIdle only after ms of continuous waiting; time between calls does not count', async () => {
    const controller = new AbortController();
    const race = new StreamRace(controller.signal);
    let idleAt = 0;
    race.watchIdle(150, () => {
      idleAt = performance.now();
      controller.abort(new Error('idle'));
    });
    // Chunks every 10 ms for longer than the idle bound, and the consumer keeps one for 250 ms.
    for (let i = 0; i < 20; i++) await race.next(sleep(10));
    await sleep(250);
    for (let i = 0; i < 3; i++) await race.next(sleep(10));
    expect(idleAt).toBe(0);
    expect(controller.signal.aborted).toBe(false);
    // Then a wait that lasts: onIdle fires after ~150 ms of it and the call rejects.
    const started = performance.now();
    await expect(race.next(new Promise(() => {}))).rejects.toThrow('idle');
    expect(idleAt - started).toBeGreaterThanOrEqual(149);
    expect(idleAt - started).toBeLessThan(600);
    race.dispose();
  });

  it('without a signal, abort() rejects the call in progress and every later one, once, not after dispose', async () => {
    const race = new StreamRace();
    const first = new Error('first reason');
    const pending = race.next(new Promise(() => {}));
    race.abort(first);
    race.abort(new Error('second reason')); // the first abort wins
    await expect(pending).rejects.toBe(first);
    await expect(race.next(Promise.reject(new Error('ignored')))).rejects.toBe(first);
    race.dispose();

    const disposed = new StreamRace();
    const open = disposed.next(new Promise<string>((resolve) => setTimeout(() => resolve('value'), 5)));
    disposed.dispose();
    disposed.abort(new Error('too late'));
    await expect(open).resolves.toBe('value');
  });
});
