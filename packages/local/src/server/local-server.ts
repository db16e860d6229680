import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net from 'node:net';
import {
  bedrockExceptions,
  ConverseError,
  type ConverseInput,
  isBedrockExceptionName,
  type ModelRuntime,
  sleep,
  ThrottlingException,
  toConverseError,
  ValidationException,
} from '@bedrock-converse/runtime';
import { scriptedRuntime } from '../scripted-runtime.js';
import { countRequestTokens, countTextTokens } from '../text-tokens.js';
import { encodeEvent, encodeException, isStreamExceptionName } from './event-stream.js';
import { type Fault, FaultInjector, type Route } from './faults.js';
import { type QuotaCharge, QuotaWindow, type ServerQuotaOptions } from './quota-window.js';
import { type ValidationRules, validateConverseRequest } from './validate-request.js';
import { parseWireJson, toWireJson } from './wire-json.js';

export interface LocalServerOptions {
  /** Who answers. Default: the scripted model with its offline assistant. */
  runtime?: ModelRuntime;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1: the server is never reachable from other machines unless asked. */
  host?: string;
  /** Largest request body accepted. Default 25 000 000 bytes (Bedrock's payload ceiling). */
  bodyLimitBytes?: number;
  validation?: ValidationRules;
  /** How many requests `requests` keeps (oldest dropped first). Default 1000. */
  keepRequests?: number;
  /**
   * Input tokens a model takes (counted as the scripted model counts them: messages, system
   * prompt and tool specs). A longer request is refused as Bedrock does: 400 ValidationException
   * "Input is too long for requested model." A number applies to every model. Default: no limit.
   */
  contextWindow?: number | ((modelId: string) => number | undefined);
  /**
   * Enforce a Bedrock quota (requests and tokens per window, sliding): a request over it gets 429
   * ThrottlingException as from Bedrock. Charged like Bedrock: input + maxTokens on arrival,
   * corrected to the real usage when it ends. `server.quota` counts the refusals.
   */
  quota?: ServerQuotaOptions;
}

/** What the server saw of one request. */
export interface RecordedRequest {
  route: Route;
  modelId: string;
  httpVersion: string;
  /** `amz-sdk-invocation-id`: the same for every retry of one SDK call. */
  invocationId: string | undefined;
  /** `amz-sdk-request`, e.g. `attempt=2; max=3`. */
  attempt: string | undefined;
  body: unknown;
  status?: number;
  /** True once the answer was fully sent. */
  completed: boolean;
  /** `performance.now()` when the client's connection closed before the answer was complete. */
  closedEarlyAt?: number;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly requests: readonly RecordedRequest[];
  /** The quota the server enforces (when started with `quota`), with its count of 429s. */
  readonly quota: QuotaWindow | undefined;
  /** Settings for a BedrockRuntimeClient (or `bedrockRuntime`) that talks to this server. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  close(): Promise<void>;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

const routePattern = /^\/model\/([^/]+)\/(converse|converse-stream|count-tokens)$/;

/**
 * A Bedrock-compatible HTTP server: `POST /model/{modelId}/converse`, `/converse-stream` and
 * `/count-tokens` in Bedrock's wire format, answered by a ModelRuntime. It speaks HTTP/2 cleartext
 * (the AWS SDK's default) and HTTP/1.1 on the same port, telling them apart by the HTTP/2 preface.
 * Any authorization is accepted; signatures are not checked.
 */
export async function startServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const runtime = options.runtime ?? scriptedRuntime();
  const bodyLimit = options.bodyLimitBytes ?? 25_000_000;
  const keep = options.keepRequests ?? 1000;
  const faults = new FaultInjector();
  const quota = options.quota ? new QuotaWindow(options.quota) : undefined;
  const requests: RecordedRequest[] = [];

  const handler = (req: Request, res: Response) => {
    handle(req, res).catch((error) => sendError(res, toConverseError(error)));
  };

  async function handle(req: Request, res: Response) {
    res.setHeader('x-amzn-requestid', randomUUID());
    const match = routePattern.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !match) {
      return sendError(
        res,
        new ConverseError(`No route for ${req.method} ${req.url}.`),
        404,
        'UnknownOperationException',
      );
    }
    const modelId = decodeURIComponent(match[1]!);
    const route = match[2] as Route;
    const record: RecordedRequest = {
      route,
      modelId,
      httpVersion: req.httpVersion,
      invocationId: header(req, 'amz-sdk-invocation-id'),
      attempt: header(req, 'amz-sdk-request'),
      body: undefined,
      completed: false,
    };
    requests.push(record);
    if (requests.length > keep) requests.shift();
    const controller = new AbortController();
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    res.on('close', () => {
      // Complete means we ended the answer and it went out whole. HTTP/2's compat response reports
      // itself finished even for a stream the client cancelled, so there the stream's own
      // 'aborted' flag tells.
      const h2stream = (res as Http2ServerResponse).stream as http2.Http2Stream | undefined;
      record.completed = res.writableEnded && (h2stream ? !h2stream.aborted : res.writableFinished);
      if (!record.completed) {
        record.closedEarlyAt = performance.now();
        controller.abort(new Error('client closed the connection'));
      }
    });

    const text = await readBody(req, bodyLimit);
    if (text === undefined) {
      return sendError(
        res,
        new ValidationException(`The request body is larger than the ${bodyLimit}-byte limit.`),
      );
    }
    const injected = faults.take(route, modelId);
    const fault = <K extends Fault['kind']>(kind: K) =>
      injected.find((f): f is Extract<Fault, { kind: K }> => f.kind === kind);
    if (fault('reset')) return void req.socket.destroy();
    const latency = fault('latency');
    if (latency) await sleep(latency.ms, controller.signal).catch(() => undefined);
    if (controller.signal.aborted) return;
    const httpError = fault('http-error');
    if (httpError) {
      const message = httpError.message ?? defaultMessage(httpError.exception);
      return sendError(res, new bedrockExceptions[httpError.exception](message), httpError.status);
    }

    let body: Record<string, unknown>;
    try {
      body = parseWireJson(text || '{}') as Record<string, unknown>;
    } catch {
      return sendError(res, new ValidationException('The request body is not valid JSON.'));
    }
    record.body = body;
    const call = { signal: controller.signal };

    if (route === 'count-tokens') {
      const converse = (body.input as { converse?: ConverseInput } | undefined)?.converse;
      const problem = converse
        ? validateConverseRequest(converse, options.validation)
        : 'input.converse is required.';
      if (problem) return sendError(res, new ValidationException(problem));
      if (!runtime.countTokens) {
        return sendError(
          res,
          new ValidationException(`The model ${modelId} does not support counting tokens.`),
        );
      }
      const inputTokens = await runtime.countTokens(
        { modelId, input: { converse } } as never,
        call,
      );
      return sendJson(res, { inputTokens });
    }

    const problem = validateConverseRequest(body, options.validation);
    if (problem) return sendError(res, new ValidationException(problem));
    const input = { ...body, modelId } as ConverseInput;
    const window =
      typeof options.contextWindow === 'function'
        ? options.contextWindow(modelId)
        : options.contextWindow;
    const inputTokens = () =>
      countRequestTokens(input.messages, input.system) +
      (input.toolConfig ? countTextTokens(JSON.stringify(input.toolConfig)) : 0);
    if (window !== undefined && inputTokens() > window) {
      return sendError(res, new ValidationException('Input is too long for requested model.'));
    }
    let charge: QuotaCharge | undefined;
    if (quota) {
      const admitted = quota.admit(inputTokens(), input.inferenceConfig?.maxTokens);
      if (typeof admitted === 'string') return sendError(res, new ThrottlingException(admitted));
      charge = admitted;
    }
    const used = (usage: { totalTokens?: number | undefined } | undefined) => {
      if (charge && usage?.totalTokens !== undefined) quota!.settle(charge, usage.totalTokens);
    };
    try {
      if (route === 'converse') {
        const result = await runtime.converse(input, call);
        used(result.usage);
        return sendJson(res, result);
      }
      return await stream(
        res,
        observeUsage(runtime.converseStream(input, call), used),
        fault('stream-exception'),
        fault('stream-cut'),
        controller.signal,
      );
    } catch (error) {
      if (charge) quota!.refund(charge);
      throw error;
    }
  }

  async function stream(
    res: Response,
    events: AsyncIterable<import('@bedrock-converse/runtime').ConverseStreamEvent>,
    exception: Extract<Fault, { kind: 'stream-exception' }> | undefined,
    cut: Extract<Fault, { kind: 'stream-cut' }> | undefined,
    signal: AbortSignal,
  ) {
    let sent = 0;
    const iterator = events[Symbol.asyncIterator]();
    try {
      while (!signal.aborted) {
        if (exception && sent === exception.afterEvents) {
          startStream(res);
          write(
            res,
            encodeException(
              exception.exception,
              exception.message ?? defaultMessage(exception.exception),
            ),
          );
          return res.end();
        }
        if (cut && sent === cut.afterEvents) {
          startStream(res);
          // Let what was written reach the client first, so the cut is mid-stream, not before it.
          await flushed(res);
          return cutConnection(res);
        }
        const step = await iterator.next();
        if (step.done) break;
        startStream(res);
        write(res, encodeEvent(step.value));
        sent += 1;
      }
      if (!signal.aborted) res.end();
    } catch (error) {
      const converseError = toConverseError(error);
      if (!res.headersSent) return sendError(res, converseError);
      const name = isStreamExceptionName(converseError.name)
        ? converseError.name
        : 'InternalServerException';
      write(res, encodeException(name, converseError.message));
      res.end();
    } finally {
      await iterator.return?.();
    }
  }

  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (chunk) => {
      socket.pause();
      socket.unshift(chunk);
      // An HTTP/2 client with prior knowledge opens with "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".
      if (chunk.subarray(0, 3).toString('latin1') === 'PRI') {
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    port: address.port,
    faults,
    requests,
    quota,
    clientConfig: {
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function startStream(res: Response) {
  if (res.headersSent) return;
  res.statusCode = 200;
  res.setHeader('content-type', 'application/vnd.amazon.eventstream');
}

function cutConnection(res: Response) {
  const stream = (res as Http2ServerResponse).stream;
  if (stream && typeof stream.close === 'function') {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  } else {
    (res as ServerResponse).socket?.destroy();
  }
}

function sendJson(res: Response, value: unknown) {
  const body = toWireJson(value);
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function sendError(res: Response, error: ConverseError, status?: number, errorType?: string) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const type =
    errorType ?? (isBedrockExceptionName(error.name) ? error.name : 'InternalServerException');
  const body = JSON.stringify({ message: error.message });
  res.statusCode = status ?? (isBedrockExceptionName(error.name) ? (error.statusCode ?? 500) : 500);
  res.setHeader('content-type', 'application/json');
  res.setHeader('x-amzn-errortype', `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function write(res: Response, bytes: Uint8Array) {
  (res as ServerResponse).write(bytes);
}

/** Resolves once everything written so far has been handed to the socket. */
function flushed(res: Response): Promise<void> {
  return new Promise((resolve) =>
    (res as ServerResponse).write(new Uint8Array(0), () => resolve()),
  );
}

function defaultMessage(name: string): string {
  if (name === 'ThrottlingException') return 'Too many requests, please wait before trying again.';
  if (name === 'ServiceUnavailableException') return 'The service is temporarily unavailable.';
  return `Injected ${name}.`;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text, or undefined when it exceeds `limit` bytes. */
async function readBody(req: Request, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** The stream's events, passing its usage to `used` when the metadata event goes by. */
async function* observeUsage(
  events: AsyncIterable<import('@bedrock-converse/runtime').ConverseStreamEvent>,
  used: (usage: { totalTokens?: number | undefined } | undefined) => void,
) {
  for await (const event of events) {
    if (event.metadata) used(event.metadata.usage);
    yield event;
  }
}
