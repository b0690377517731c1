import { afterAll } from 'vitest';

/**
 * Fails a test file that leaves timers, sockets or servers behind. Resources open before the file
 * ran (the test runner's own) are not counted.
 */
const WATCHED = new Set([
  'Timeout',
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPWRAP',
  'PipeServerWrap',
  'Immediate',
]);

function watchedResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (WATCHED.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

const before = watchedResources();

afterAll(async () => {
  // Give sockets closed in the last test one turn of the event loop to be released.
  let leaked: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (attempt > 2) await new Promise((resolve) => setTimeout(resolve, 10).unref());
    const after = watchedResources();
    leaked = [];
    for (const [name, count] of after) {
      const extra = count - (before.get(name) ?? 0);
      if (extra > 0) leaked.push(`${extra} × ${name}`);
    }
    if (leaked.length === 0) return;
  }
  throw new Error(`Test file leaked resources: ${leaked.join(', ')}`);
});
