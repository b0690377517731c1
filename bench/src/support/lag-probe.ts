/**
 * A control for event-loop lag: an idle Node process (forked by lag-control.ts) that measures its
 * own loop lag over a window. If an idle process lags as much as the benchmark, the machine (other
 * processes competing for the cores), not the code under test, is the cause.
 * Protocol: sends {ready}; on {windowMs} measures for that long and replies {p50, p99, max} (ms).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const lag = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

process.on('message', (message: { windowMs?: number }) => {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  setTimeout(() => {
    histogram.disable();
    process.send?.({
      p50: lag(histogram.percentile(50)),
      p99: lag(histogram.percentile(99)),
      max: lag(histogram.max),
    });
    process.disconnect();
  }, message.windowMs ?? 1000);
});
process.send?.({ ready: true });
