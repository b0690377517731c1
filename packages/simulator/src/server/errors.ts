import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * xAI answers errors with a flat body `{"code": "<gRPC status text>", "error": "<message>"}`.
 * The `code` strings follow the gRPC canonical status descriptions xAI's gateway uses.
 */
const CODE_TEXT: Record<number, string> = {
  400: 'Client specified an invalid argument',
  401: 'The request does not have valid authentication credentials for the operation',
  403: 'The caller does not have permission to execute the specified operation',
  404: 'Some requested entity was not found',
  405: 'The method is not allowed for the requested resource',
  413: 'The request entity is too large',
  429: 'Some resource has been exhausted, perhaps a per-user quota',
  500: 'Internal error',
  503: 'The service is currently unavailable',
};

export interface XaiErrorBody {
  code: string;
  error: string;
}

export function xaiErrorBody(status: number, message: string): XaiErrorBody {
  return { code: CODE_TEXT[status] ?? STATUS_CODES[status] ?? 'Unknown error', error: message };
}

/** A default message for statuses produced by handshake faults. */
export function faultMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request (simulated fault).';
    case 401:
      return 'Unauthorized (simulated fault).';
    case 403:
      return 'Your team has either used all available credits or reached its monthly spending limit (simulated fault).';
    case 429:
      return 'Too many requests: rate limit exceeded (simulated fault).';
    case 500:
      return 'Internal server error (simulated fault).';
    case 503:
      return 'Service temporarily unavailable (simulated fault).';
    default:
      return `HTTP ${status} (simulated fault).`;
  }
}

export interface ErrorResponse {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export function writeHttpError(res: ServerResponse, error: ErrorResponse): void {
  const body = JSON.stringify(xaiErrorBody(error.status, error.message));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...error.headers,
  });
  res.end(body);
}

/** Refuses a WebSocket upgrade with an HTTP status and an xAI-like JSON body, then closes the socket. */
export function refuseUpgrade(socket: Duplex, error: ErrorResponse): void {
  const body = JSON.stringify(xaiErrorBody(error.status, error.message));
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(error.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  // `end` flushes then half-closes; make sure the socket goes away even if the peer never closes.
  socket.once('finish', () => socket.destroy());
}
