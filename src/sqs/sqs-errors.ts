/**
 * Sorts SQS client errors into kinds an operator can act on. Pure. The poller logs each kind
 * once when it starts (not once per poll) and says when polling recovers.
 */
export type SqsErrorKind = 'credentials' | 'queue_missing' | 'throttled' | 'network' | 'other';

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidSecurity',
  'MissingAuthenticationToken',
]);
const QUEUE_MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);
const THROTTLED = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'OverLimit',
  'KmsThrottled',
  'TooManyRequestsException',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'EHOSTUNREACH',
]);

const ADVICE: Record<SqsErrorKind, string> = {
  credentials: 'AWS credentials are missing or not allowed to use this queue (check the IAM role or AWS_* variables)',
  queue_missing: 'the queue does not exist (check SQS_QUEUE_URL and AWS_REGION)',
  throttled: 'SQS is throttling requests',
  network: 'SQS cannot be reached (network or endpoint problem)',
  other: 'SQS request failed',
};

interface ErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
}

export function classifySqsError(error: unknown): { kind: SqsErrorKind; advice: string; detail: string } {
  const e = (error ?? {}) as ErrorLike;
  const cause = (e.cause ?? {}) as ErrorLike;
  const names = [e.name, e.code, e.Code, cause.name, cause.code].filter((n): n is string => typeof n === 'string');
  const kind: SqsErrorKind = names.some((n) => CREDENTIALS.has(n))
    ? 'credentials'
    : names.some((n) => QUEUE_MISSING.has(n))
      ? 'queue_missing'
      : names.some((n) => THROTTLED.has(n))
        ? 'throttled'
        : names.some((n) => NETWORK.has(n)) || /ECONNREFUSED|ENOTFOUND|socket hang up|ECONNRESET/.test(e.message ?? '')
          ? 'network'
          : 'other';
  return { kind, advice: ADVICE[kind], detail: `${names[0] ?? 'Error'}: ${e.message ?? String(error)}` };
}
