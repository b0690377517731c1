import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorResponse } from './errors.js';

/** The subprotocol prefix browsers use to carry an ephemeral client secret. */
export const CLIENT_SECRET_PROTOCOL_PREFIX = 'xai-client-secret.';
export const CLIENT_SECRET_DEFAULT_SECONDS = 600;
export const CLIENT_SECRET_MAX_SECONDS = 3600;

export type AuthMethod = 'api_key' | 'client_secret';

export type AuthResult =
  | { ok: true; method: AuthMethod; via: 'header' | 'subprotocol'; protocol?: string }
  | { ok: false; error: ErrorResponse };

/** Shows at most two leading characters of a secret; never the secret itself. */
export function maskSecret(secret: string): string {
  return `${secret.slice(0, Math.min(2, Math.floor(secret.length / 4)))}***...***`;
}

/** `Bearer abc` → `Bearer ab***...***`, for logs. */
export function redactAuthorization(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\s*bearer\s+)(.*)$/i.exec(value);
  if (!match) return '***';
  return `${match[1]}${maskSecret(match[2] ?? '')}`;
}

/** `xai-client-secret.tok, other` → `xai-client-secret.***, other`, for logs. */
export function redactProtocols(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((p) => {
      const trimmed = p.trim();
      return trimmed.startsWith(CLIENT_SECRET_PROTOCOL_PREFIX)
        ? `${CLIENT_SECRET_PROTOCOL_PREFIX}***`
        : trimmed;
    })
    .join(', ');
}

function invalidKey(key: string): ErrorResponse {
  return {
    status: 400,
    message: `Incorrect API key provided: ${maskSecret(key)}. You can obtain an API key from https://console.x.ai.`,
  };
}

const MISSING_KEY: ErrorResponse = {
  status: 401,
  message:
    'No API key provided. Provide it in the Authorization header as "Bearer <key>" (or, from a browser, as the WebSocket subprotocol "xai-client-secret.<token>"). You can obtain an API key from https://console.x.ai.',
};

/**
 * API keys and ephemeral client secrets. By default any non-empty key that does not start with
 * "invalid" is accepted; `apiKeys` restricts the set.
 */
export class AuthService {
  private readonly secrets = new Map<string, number>();

  constructor(
    private readonly apiKeys: readonly string[] | undefined,
    private readonly now: () => number,
  ) {}

  isValidApiKey(key: string): boolean {
    if (key.length === 0) return false;
    if (this.apiKeys) return this.apiKeys.includes(key);
    return !key.startsWith('invalid');
  }

  /** Mints a client secret valid for `seconds`. */
  mintClientSecret(seconds: number): { value: string; expires_at: number } {
    const value = `xai-cs-${randomBytes(18).toString('base64url')}`;
    const expiresAtMs = this.now() + seconds * 1000;
    this.secrets.set(value, expiresAtMs);
    return { value, expires_at: Math.floor(expiresAtMs / 1000) };
  }

  private checkClientSecret(token: string): ErrorResponse | undefined {
    const expiresAtMs = this.secrets.get(token);
    if (expiresAtMs === undefined) {
      return { status: 401, message: 'Invalid client secret: it was not issued by this server.' };
    }
    if (this.now() >= expiresAtMs) {
      return { status: 401, message: 'The client secret has expired; mint a new one.' };
    }
    return undefined;
  }

  private checkBearer(value: string): AuthResult {
    const token = value.trim();
    if (token.length === 0) return { ok: false, error: MISSING_KEY };
    if (this.secrets.has(token)) {
      const error = this.checkClientSecret(token);
      return error ? { ok: false, error } : { ok: true, method: 'client_secret', via: 'header' };
    }
    return this.isValidApiKey(token)
      ? { ok: true, method: 'api_key', via: 'header' }
      : { ok: false, error: invalidKey(token) };
  }

  /** HTTP endpoints: `Authorization: Bearer <key>`. Client secrets are accepted only if `allowClientSecret`. */
  authenticateHttp(headers: IncomingHttpHeaders, allowClientSecret: boolean): AuthResult {
    const bearer = parseBearer(headers.authorization);
    if (bearer === undefined) return { ok: false, error: MISSING_KEY };
    const result = this.checkBearer(bearer);
    if (result.ok && result.method === 'client_secret' && !allowClientSecret) {
      return {
        ok: false,
        error: { status: 403, message: 'A client secret cannot be used for this endpoint; use an API key.' },
      };
    }
    return result;
  }

  /** WebSocket handshakes: the header, or the `xai-client-secret.<token>` subprotocol. */
  authenticateUpgrade(headers: IncomingHttpHeaders): AuthResult {
    const bearer = parseBearer(headers.authorization);
    if (bearer !== undefined) return this.checkBearer(bearer);
    const protocols = (headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    const protocol = protocols.find((p) => p.startsWith(CLIENT_SECRET_PROTOCOL_PREFIX));
    if (protocol === undefined) return { ok: false, error: MISSING_KEY };
    const error = this.checkClientSecret(protocol.slice(CLIENT_SECRET_PROTOCOL_PREFIX.length));
    return error ? { ok: false, error } : { ok: true, method: 'client_secret', via: 'subprotocol', protocol };
  }
}

function parseBearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*bearer\s+(.*)$/i.exec(value);
  // A header without the Bearer scheme counts as a key, like a sloppy client would send it.
  return match ? (match[1] ?? '') : value;
}
