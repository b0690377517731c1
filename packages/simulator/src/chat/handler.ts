import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../server/context.js';
import { writeHttpError } from '../server/errors.js';

/** `POST /v1/chat/completions` (placeholder until the responder lands). */
export async function handleChatCompletions(
  _req: IncomingMessage,
  res: ServerResponse,
  _context: ServerContext,
): Promise<void> {
  writeHttpError(res, { status: 500, message: 'chat completions are not implemented yet' });
}
