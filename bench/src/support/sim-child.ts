/**
 * The simulator in its own process, so the benchmark process measures only client CPU.
 * Started by `sim-process.ts` through `fork` (IPC channel); argv[2] is the JSON of
 * `startSimulator` options plus `trimClientEventsMs` (how often to empty the log's per-connection
 * `clientEvents`, which otherwise keep every base64 audio append of every realtime session).
 */
import { type SimulatorOptions, startSimulator } from '@x/simulator';

export interface SimChildOptions extends SimulatorOptions {
  trimClientEventsMs?: number;
}

export type SimChildRequest =
  | { id: number; cmd: 'connections' }
  | { id: number; cmd: 'clear' }
  | { id: number; cmd: 'usage' }
  | { id: number; cmd: 'close' };

export interface ConnectionSummary {
  id: string;
  endpoint: string;
  query: Record<string, string>;
  accepted: boolean;
  audioBytesReceived: number;
  clientEventTypes: string[];
  /** `delta` of each `text.delta` (TTS), in order. */
  textDeltas: string[];
  openedAt: number;
  closedAt?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SimChildOptions;
const { trimClientEventsMs, ...simOptions } = options;
const sim = await startSimulator(simOptions);

const trimTimer =
  trimClientEventsMs === undefined
    ? undefined
    : setInterval(() => {
        for (const c of sim.log.connections) c.clientEvents.length = 0;
        sim.log.chatRequests.length = 0;
      }, trimClientEventsMs);

function summary(): ConnectionSummary[] {
  return sim.log.connections.map((c) => ({
    id: c.id,
    endpoint: c.endpoint,
    query: c.query,
    accepted: c.accepted,
    audioBytesReceived: c.audioBytesReceived,
    clientEventTypes: c.clientEvents.map((e) => String((e as { type?: unknown }).type ?? 'raw')),
    textDeltas: c.clientEvents.flatMap((e) => {
      const event = e as { type?: unknown; delta?: unknown };
      return event.type === 'text.delta' && typeof event.delta === 'string' ? [event.delta] : [];
    }),
    openedAt: c.openedAt,
    ...(c.closedAt === undefined ? {} : { closedAt: c.closedAt }),
  }));
}

process.on('message', (message: SimChildRequest) => {
  const reply = (value: unknown) => process.send?.({ id: message.id, value });
  switch (message.cmd) {
    case 'connections':
      reply(summary());
      return;
    case 'clear':
      sim.log.clear();
      reply(true);
      return;
    case 'usage':
      reply({ cpu: process.cpuUsage(), memory: process.memoryUsage() });
      return;
    case 'close':
      if (trimTimer) clearInterval(trimTimer);
      void sim.close().then(() => {
        reply(true);
        process.disconnect();
      });
      return;
  }
});

process.on('disconnect', () => {
  if (trimTimer) clearInterval(trimTimer);
  void sim.close().finally(() => process.exit(0));
});

process.send?.({ ready: true, httpUrl: sim.httpUrl, wsUrl: sim.wsUrl });
