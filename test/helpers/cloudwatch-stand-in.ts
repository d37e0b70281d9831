/**
 * A loopback stand-in for CloudWatch Logs: enough of its JSON protocol (POST /, header
 * `X-Amz-Target: Logs_20140328.<Action>`) for CreateLogGroup, CreateLogStream and
 * PutLogEvents. It enforces the PutLogEvents rules the transport must respect (order, count,
 * size, span, event size, existing stream), records what it accepted, and fails on request.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInEvent {
  timestamp: number;
  message: string;
}

export interface PutCall {
  logGroupName: string;
  logStreamName: string;
  logEvents: StandInEvent[];
}

export interface RequestRecord {
  action: string;
  status: number;
  errorType?: string | undefined;
}

interface ScriptedFailure {
  action: string;
  remaining: number;
  status: number;
  type: string;
}

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 262_144;
const DAY_MS = 24 * 60 * 60 * 1000;

export class CloudWatchStandIn extends EventEmitter {
  readonly groups = new Set<string>();
  readonly streams = new Set<string>();
  /** Accepted PutLogEvents calls, in arrival order. */
  readonly puts: PutCall[] = [];
  /** Every request with its answer. */
  readonly requests: RequestRecord[] = [];
  /** Rule violations found in PutLogEvents calls (each was refused with a 400). */
  readonly violations: string[] = [];
  /** Create calls answer AccessDeniedException. */
  denyCreate = false;
  /** PutLogEvents never answers (until stop): an endpoint that accepts connections and hangs. */
  hangPuts = false;
  #failures: ScriptedFailure[] = [];
  #held = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    super();
  }

  static async start(): Promise<CloudWatchStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new CloudWatchStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      standIn.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    return standIn;
  }

  /** The next `count` calls of `action` fail with this status and error type. */
  failNext(action: string, count: number, status = 500, type = 'ServiceUnavailableException'): void {
    this.#failures.push({ action, remaining: count, status, type });
  }

  clearFailures(): void {
    this.#failures = [];
  }

  /** Every accepted message, in the order CloudWatch would store them per call. */
  messages(): string[] {
    return this.puts.flatMap((put) => put.logEvents.map((event) => event.message));
  }

  async stop(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : target;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;

    const failure = this.#failures.find((f) => f.action === action && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      return this.#error(res, action, failure.status, failure.type);
    }
    switch (action) {
      case 'CreateLogGroup':
        return this.#create(res, action, this.groups, String(body.logGroupName));
      case 'CreateLogStream': {
        if (!this.denyCreate && !this.groups.has(String(body.logGroupName))) {
          return this.#error(res, action, 400, 'ResourceNotFoundException');
        }
        return this.#create(res, action, this.streams, `${body.logGroupName}/${body.logStreamName}`);
      }
      case 'PutLogEvents':
        return this.#put(res, body as unknown as PutCall);
      default:
        return this.#error(res, action, 400, 'UnknownOperationException');
    }
  }

  #create(res: ServerResponse, action: string, set: Set<string>, name: string): void {
    if (this.denyCreate) {
      this.#error(res, action, 400, 'AccessDeniedException');
    } else if (set.has(name)) {
      this.#error(res, action, 400, 'ResourceAlreadyExistsException');
    } else {
      set.add(name);
      this.#reply(res, action, 200, {});
    }
  }

  #put(res: ServerResponse, call: PutCall): void {
    if (this.hangPuts) {
      this.#held.add(res);
      this.#record('PutLogEvents', 0);
      return;
    }
    if (!this.streams.has(`${call.logGroupName}/${call.logStreamName}`)) {
      this.#error(res, 'PutLogEvents', 400, 'ResourceNotFoundException');
      return;
    }
    const problems = checkBatch(call.logEvents);
    if (problems.length > 0) {
      this.violations.push(...problems);
      this.#error(res, 'PutLogEvents', 400, 'InvalidParameterException');
      return;
    }
    this.puts.push(call);
    this.#reply(res, 'PutLogEvents', 200, { nextSequenceToken: String(this.puts.length) });
  }

  #error(res: ServerResponse, action: string, status: number, type: string): void {
    res.setHeader('x-amzn-errortype', type);
    this.#reply(res, action, status, { __type: type, message: `stand-in: ${type}` }, type);
  }

  #reply(res: ServerResponse, action: string, status: number, body: object, errorType?: string): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(json),
      'x-amzn-requestid': String(this.requests.length + 1),
    });
    res.end(json);
    this.#record(action, status, errorType);
  }

  #record(action: string, status: number, errorType?: string): void {
    const record = { action, status, errorType };
    this.requests.push(record);
    this.emit('request', record);
  }
}

function checkBatch(events: StandInEvent[]): string[] {
  const problems: string[] = [];
  if (events.length === 0) problems.push('empty batch');
  if (events.length > MAX_BATCH_EVENTS) problems.push(`${events.length} events in one batch`);
  let bytes = 0;
  for (const [i, event] of events.entries()) {
    const size = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD;
    bytes += size;
    if (size > MAX_EVENT_BYTES) problems.push(`event ${i} is ${size} bytes`);
    const previous = events[i - 1];
    if (previous && event.timestamp < previous.timestamp) problems.push(`event ${i} is out of order`);
  }
  if (bytes > MAX_BATCH_BYTES) problems.push(`batch is ${bytes} bytes`);
  const first = events[0];
  const last = events.at(-1);
  if (first && last && last.timestamp - first.timestamp > DAY_MS) problems.push('batch spans more than 24 h');
  return problems;
}
