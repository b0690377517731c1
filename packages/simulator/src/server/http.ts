import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { redactAuthorization, redactProtocols } from './auth.js';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body (bounded), rejecting with a `BodyError` when too large. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new BodyError(400, 'Request aborted')));
  });
}

/** Lower-cased headers for the log, with secrets redacted. */
export function loggedHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  if ('authorization' in out) out.authorization = redactAuthorization(out.authorization);
  if ('sec-websocket-protocol' in out)
    out['sec-websocket-protocol'] = redactProtocols(out['sec-websocket-protocol']);
  return out;
}

export function queryRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = value;
  return out;
}
