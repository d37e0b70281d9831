/**
 * The slice of CloudWatch Logs the transport uses, over the v3 SDK, and how its errors are read.
 *
 * The SDK's own retries are off (`maxAttempts: 1`): the shipper retries with its own backoff,
 * holding the batch, so one policy decides and tests can see every attempt. The endpoint comes
 * from the SDK's standard variables (`AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, then
 * `AWS_ENDPOINT_URL`) unless one is passed, as for LocalStack.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';

export interface LogsApi {
  createLogGroup(logGroup: string, signal?: AbortSignal): Promise<void>;
  createLogStream(logGroup: string, logStream: string, signal?: AbortSignal): Promise<void>;
  /** Resolves with the events CloudWatch refused (too old, too new, past retention), if any. */
  putLogEvents(
    logGroup: string,
    logStream: string,
    events: ReadonlyArray<{ timestamp: number; message: string }>,
    signal?: AbortSignal,
  ): Promise<RejectedLogEventsInfo | undefined>;
}

export interface LogsClientOptions {
  region?: string | undefined;
  endpoint?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function createLogsClient({ region, endpoint, credentials }: LogsClientOptions): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 1,
    // An unreachable endpoint must fail fast enough to retry, not hang a flush for minutes.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  });
}

/** The API over a fresh client, and how to release the client's sockets at close. */
export function connectLogsApi(options: LogsClientOptions): { api: LogsApi; destroy: () => void } {
  const client = createLogsClient(options);
  return { api: sdkLogsApi(client), destroy: () => client.destroy() };
}

export function sdkLogsApi(client: CloudWatchLogsClient): LogsApi {
  return {
    async createLogGroup(logGroupName, abortSignal) {
      await client.send(new CreateLogGroupCommand({ logGroupName }), { abortSignal });
    },
    async createLogStream(logGroupName, logStreamName, abortSignal) {
      await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }), { abortSignal });
    },
    async putLogEvents(logGroupName, logStreamName, events, abortSignal) {
      const logEvents = events.map(({ timestamp, message }) => ({ timestamp, message }));
      const response = await client.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }), {
        abortSignal,
      });
      return response.rejectedLogEventsInfo;
    },
  };
}

/**
 * - `exists`: ResourceAlreadyExists (creating what is there is success);
 * - `missing`: the group or stream is gone (create it, then send again);
 * - `denied`: not allowed (creating: carry on and try to put; putting: retry, a policy can be fixed);
 * - `retryable`: throttling, 5xx, network failures and timeouts;
 * - `fatal`: any other 4xx; the request itself is wrong and sending it again cannot help.
 */
export type LogsErrorKind = 'exists' | 'missing' | 'denied' | 'retryable' | 'fatal';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'LimitExceededException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ExpiredToken',
  'ExpiredTokenException',
  'TimeoutError',
]);
const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException']);

export function classifyLogsError(error: unknown): LogsErrorKind {
  const name = error instanceof Error ? error.name : '';
  if (name === 'ResourceAlreadyExistsException') return 'exists';
  if (name === 'ResourceNotFoundException') return 'missing';
  if (DENIED_NAMES.has(name)) return 'denied';
  if (RETRYABLE_NAMES.has(name)) return 'retryable';
  const status = httpStatusOf(error);
  if (status === 403) return 'denied';
  // No status: the request never got an answer (refused, reset, DNS, timeout): try again.
  if (status === undefined || status === 429 || status >= 500) return 'retryable';
  return 'fatal';
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
