import { ConfigurationError } from '../errors/errors.js';
import { registerSecret } from '../errors/redact.js';

/**
 * The API key from the options, else from the environment variable; registered for redaction so it
 * can never appear in a log line or error message.
 */
export function resolveApiKey(apiKey: string | undefined, envVar = 'XAI_API_KEY'): string {
  const key = apiKey ?? process.env[envVar];
  if (!key || key.trim() === '') {
    throw new ConfigurationError(
      'apiKey',
      '(missing)',
      `a non-empty string, or the ${envVar} environment variable`,
    );
  }
  registerSecret(key);
  return key;
}
