/**
 * Removes secrets from text meant for logs and error messages. Known secrets are replaced wholesale;
 * anything that looks like a bearer token or an xAI key (`xai-…`) is masked as well, so a key that
 * was never registered still does not leak.
 */
const registeredSecrets = new Set<string>();

/** Registers a secret (an API key, a client secret) so every later `redact` masks it. */
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 4) registeredSecrets.add(secret);
}

export function redact(text: string, extraSecrets: readonly (string | undefined | null)[] = []): string {
  let out = text;
  for (const secret of [...registeredSecrets, ...extraSecrets]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{4,}/gi, '$1[REDACTED]')
    .replace(/\bxai-[A-Za-z0-9_-]{4,}/g, 'xai-[REDACTED]')
    .replace(/(xai-client-secret\.)[A-Za-z0-9._~+/=-]+/g, '$1[REDACTED]')
    .replace(/([?&](?:api_key|apikey|key|token)=)[^&\s]+/gi, '$1[REDACTED]');
}
