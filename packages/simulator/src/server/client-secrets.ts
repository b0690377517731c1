import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_SECRET_DEFAULT_SECONDS, CLIENT_SECRET_MAX_SECONDS } from './auth.js';
import type { ServerContext } from './context.js';
import { writeHttpError } from './errors.js';
import { BodyError, readBody } from './http.js';

/** `POST /v1/realtime/client_secrets {"expires_after":{"seconds":N}}` → `{"value","expires_at"}`. */
export async function handleClientSecrets(
  req: IncomingMessage,
  res: ServerResponse,
  context: ServerContext,
): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (error) {
    if (error instanceof BodyError) writeHttpError(res, { status: error.status, message: error.message });
    else res.destroy();
    return;
  }
  const auth = context.auth.authenticateHttp(req.headers, false);
  if (!auth.ok) {
    writeHttpError(res, auth.error);
    return;
  }
  let body: unknown = {};
  if (raw.byteLength > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      writeHttpError(res, { status: 400, message: 'The request body is not valid JSON.' });
      return;
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    writeHttpError(res, { status: 400, message: 'The request body must be a JSON object.' });
    return;
  }
  const expiresAfter = (body as { expires_after?: unknown }).expires_after;
  let seconds = CLIENT_SECRET_DEFAULT_SECONDS;
  if (expiresAfter !== undefined) {
    const value = (expiresAfter as { seconds?: unknown } | null)?.seconds;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 1 ||
      value > CLIENT_SECRET_MAX_SECONDS
    ) {
      writeHttpError(res, {
        status: 400,
        message: `expires_after.seconds must be an integer from 1 to ${CLIENT_SECRET_MAX_SECONDS}, got ${JSON.stringify(value)}`,
      });
      return;
    }
    seconds = value;
  }
  const secret = context.auth.mintClientSecret(seconds);
  const json = JSON.stringify(secret);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
