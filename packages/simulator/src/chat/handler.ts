import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../server/context.js';
import { type ErrorResponse, faultMessage, writeHttpError } from '../server/errors.js';
import { FaultError, handshakeFault, handshakeHeaders, parseFaultFlag } from '../server/faults.js';
import { BodyError, loggedHeaders, readBody } from '../server/http.js';
import { OutboundQueue } from '../server/outbound.js';
import type { ChatRequestRecord, Fault } from '../server/types.js';
import { type CompletionMeta, completionChunks, completionObject } from './completion.js';
import { thinksSilently } from './models.js';
import { type ChatRequest, parseChatRequest } from './request.js';
import { type Reply, respond } from './responder.js';

/** `POST /v1/chat/completions`: OpenAI-compatible, as xAI serves it. */
export async function handleChatCompletions(
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
  let body: unknown;
  let jsonError = false;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    jsonError = true;
  }
  const record: ChatRequestRecord = {
    id: String(res.getHeader('x-request-id') ?? context.nextId('chat-')),
    body,
    headers: loggedHeaders(req.headers),
    receivedAt: Date.now(),
    stream: typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true,
    aborted: false,
    completed: false,
    faults: [],
  };
  context.log.chatRequests.push(record);
  const fail = (error: ErrorResponse): void => {
    record.status = error.status;
    record.completed = true;
    writeHttpError(res, error);
  };

  let faults: Fault[];
  try {
    const query = new URL(req.url ?? '/', 'http://simulator.local').searchParams;
    faults = [...context.faults.take('chat'), ...parseFaultFlag(query.get('sim_fault'))];
  } catch (error) {
    fail({ status: 400, message: error instanceof FaultError ? error.message : String(error) });
    return;
  }
  record.faults = faults;
  const handshake = handshakeFault(faults);
  if (handshake) {
    fail({
      status: handshake.status,
      message: faultMessage(handshake.status),
      headers: handshakeHeaders(handshake),
    });
    return;
  }
  const auth = context.auth.authenticateHttp(req.headers, false);
  if (!auth.ok) {
    fail(auth.error);
    return;
  }
  if (jsonError) {
    fail({ status: 400, message: 'The request body is not valid JSON.' });
    return;
  }
  const request = parseChatRequest(body, context.options.chatModels);
  if ('error' in request) {
    fail(request.error);
    return;
  }
  const reply = respond(
    request,
    () => `call_${context.nextId('').padStart(8, '0')}`,
    context.options.chatSplitToolArguments,
  );
  const meta: CompletionMeta = {
    id: `chatcmpl-${record.id.replace(/^sim-req-/, 'sim')}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
  };
  record.status = 200;
  if (request.stream) streamReply(res, context, record, request, reply, meta, faults);
  else sendReply(res, context, record, reply, meta, faults);
}

function onClientGone(res: ServerResponse, record: ChatRequestRecord, cleanup: () => void): void {
  res.once('close', () => {
    if (!record.completed && !record.dropped) record.aborted = true;
    cleanup();
  });
}

function streamReply(
  res: ServerResponse,
  context: ServerContext,
  record: ChatRequestRecord,
  request: ChatRequest,
  reply: Reply,
  meta: CompletionMeta,
  faults: Fault[],
): void {
  const chunks = completionChunks(meta, reply, {
    includeUsage: request.includeUsage,
    silentThinking: thinksSilently(request.model),
  });
  const pacing: Fault[] =
    context.options.chatChunkDelayMs > 0 ? [{ kind: 'delay', ms: context.options.chatChunkDelayMs }] : [];
  const queue = new OutboundQueue([...faults, ...pacing], {
    write: (item, done) => {
      if (res.writableEnded || res.destroyed) {
        done();
        return;
      }
      res.write(item.data, () => done());
    },
    destroy: () => {
      record.dropped = true;
      res.socket?.destroy();
      res.destroy();
    },
    malformed: () => `data: {"id":"${meta.id}","object":"chat.completion.chunk","choices":[{"delta":\n\n`,
    unknownEvent: () =>
      `data: ${JSON.stringify({ id: meta.id, object: 'sim.unknown_event', created: meta.created, model: meta.model, choices: [] })}\n\n`,
    huge: (bytes) =>
      `data: ${JSON.stringify({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], sim_padding: 'x'.repeat(Math.max(0, bytes - 200)) })}\n\n`,
  });
  context.openChatStreams += 1;
  let open = true;
  const finish = (): void => {
    if (!open) return;
    open = false;
    context.openChatStreams -= 1;
    queue.dispose();
    unregister();
  };
  const unregister = context.onClose(() => {
    finish();
    res.destroy();
  });
  onClientGone(res, record, finish);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  for (const chunk of chunks) queue.push({ kind: 'text', data: `data: ${JSON.stringify(chunk)}\n\n` });
  queue.push({ kind: 'text', data: 'data: [DONE]\n\n' });
  queue.push({
    kind: 'end',
    run: () => {
      record.completed = true;
      res.end();
      finish();
    },
  });
  queue.start();
}

function sendReply(
  res: ServerResponse,
  context: ServerContext,
  record: ChatRequestRecord,
  reply: Reply,
  meta: CompletionMeta,
  faults: Fault[],
): void {
  const completion = completionObject(meta, reply);
  const huge = faults.find((f) => f.kind === 'huge');
  if (huge) completion.sim_padding = 'x'.repeat(huge.bytes);
  let body = JSON.stringify(completion);
  if (faults.some((f) => f.kind === 'malformed')) body = body.slice(0, Math.floor(body.length / 2));
  const waitMs = faults.reduce((sum, f) => (f.kind === 'delay' || f.kind === 'stall' ? sum + f.ms : sum), 0);
  const drop = faults.find((f) => f.kind === 'drop');
  let timer: NodeJS.Timeout | undefined;
  const unregister = context.onClose(() => {
    if (timer) clearTimeout(timer);
    res.destroy();
  });
  onClientGone(res, record, () => {
    if (timer) clearTimeout(timer);
    unregister();
  });
  const send = (): void => {
    timer = undefined;
    if (drop) {
      record.dropped = true;
      res.socket?.destroy();
      return;
    }
    record.completed = true;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const dropAfter = drop?.kind === 'drop' ? (drop.afterMs ?? 0) : 0;
  const wait = Math.max(waitMs, dropAfter);
  if (wait > 0) timer = setTimeout(send, wait);
  else send();
}
