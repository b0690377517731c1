import { WebSocket } from 'ws';

/** Test helpers for raw protocol tests (not exported from the package). */

export interface Refusal {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type OpenResult = { ws: WebSocket; rec: Received; protocol: string } | { refusal: Refusal };

/** Connects; resolves with the open socket or the HTTP refusal of the handshake. */
export function connect(
  url: string,
  options: { key?: string; protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<OpenResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    const ws = new WebSocket(url, options.protocols ?? [], { headers });
    // Record from the start: events sent right after the handshake arrive with the 'open' event.
    const rec = record(ws);
    ws.once('open', () => resolve({ ws, rec, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          refusal: {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          },
        });
        ws.terminate();
      });
    });
    ws.once('error', reject);
  });
}

export async function open(url: string, key = 'test-key'): Promise<{ ws: WebSocket; rec: Received }> {
  const result = await connect(url, { key });
  if ('refusal' in result) throw new Error(`refused ${result.refusal.status}: ${result.refusal.body}`);
  return result;
}

export async function refused(url: string, options: Parameters<typeof connect>[1] = {}): Promise<Refusal> {
  const result = await connect(url, options);
  if ('ws' in result) {
    result.ws.terminate();
    throw new Error('expected the handshake to be refused');
  }
  return result.refusal;
}

export interface Received {
  text: string[];
  json: Array<Record<string, unknown>>;
  binary: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the `count`-th JSON event matching `predicate` (bounded by `timeoutMs`). */
  until(
    predicate: (event: Record<string, unknown>) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/** Records everything a socket receives. */
export function record(ws: WebSocket): Received {
  const text: string[] = [];
  const json: Array<Record<string, unknown>> = [];
  const binary: Buffer[] = [];
  const checks = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    if (isBinary) {
      binary.push(buf);
      return;
    }
    const str = buf.toString('utf8');
    text.push(str);
    try {
      json.push(JSON.parse(str) as Record<string, unknown>);
    } catch {
      // malformed frames stay in `text`
    }
    for (const check of [...checks]) check();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const check of [...checks]) check();
    });
  });
  let isClosed = false;
  void closed.then(() => {
    isClosed = true;
  });
  return {
    text,
    json,
    binary,
    closed,
    until(predicate, count = 1, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const matches = json.filter(predicate);
          const hit = matches[count - 1];
          if (hit) {
            done();
            resolve(hit);
          } else if (isClosed || ws.readyState === ws.CLOSED) {
            done();
            reject(
              new Error(`socket closed before the event; got ${JSON.stringify(json.map((e) => e.type))}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${JSON.stringify(json.map((e) => e.type))}`,
            ),
          );
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          checks.delete(check);
        };
        checks.add(check);
        check();
      });
    },
  };
}

export function ofType(type: string): (event: Record<string, unknown>) => boolean {
  return (event) => event.type === type;
}
