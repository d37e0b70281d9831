/**
 * An SQS message → the job row it becomes. Pure. A valid body `{"jobId"?, "url", ...rest}`
 * becomes a queued download (rest kept as metadata; the id defaults to the message id). Any
 * other body becomes a `rejected` row keyed by the message id, with the reason, so it shows in
 * history instead of looping through SQS.
 */
import type { JobErrorInfo } from '../jobs/job.js';
import { checkDownloadUrl, checkJobId, isPlainObject } from '../jobs/job-request.js';
import type { NewJob } from '../jobs/store/index.js';

/** Bodies above this are rejected unread: a download request is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ReceivedMessage {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
}

export type ParsedMessage = { ok: true; job: NewJob } | { ok: false; job: NewJob; reason: string };

function rejected(
  messageId: string,
  reason: string,
  metadata: Record<string, unknown>,
  maxAttempts: number,
): ParsedMessage {
  const error: JobErrorInfo = { code: 'invalid_message', message: reason, retryable: false };
  return {
    ok: false,
    reason,
    job: {
      id: messageId,
      type: 'download',
      source: 'sqs',
      sourceMessageId: messageId,
      url: null,
      metadata,
      maxAttempts,
      rejected: error,
    },
  };
}

export function parseMessage(message: ReceivedMessage & { MessageId: string }, maxAttempts: number): ParsedMessage {
  const messageId = message.MessageId;
  const body = message.Body ?? '';
  const size = Buffer.byteLength(body, 'utf8');
  if (size > MAX_BODY_BYTES) {
    return rejected(messageId, `message body is ${size} bytes; the limit is ${MAX_BODY_BYTES}`, {}, maxAttempts);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Keep the start of the body so an operator can see what was sent.
    return rejected(messageId, 'message body is not valid JSON', { body: body.slice(0, 500) }, maxAttempts);
  }
  if (!isPlainObject(parsed)) {
    return rejected(messageId, 'message body must be a JSON object', { body: body.slice(0, 500) }, maxAttempts);
  }
  const { jobId, url, ...rest } = parsed;
  const urlCheck = checkDownloadUrl(url);
  if (!urlCheck.ok) return rejected(messageId, urlCheck.reason, { ...rest, jobId, url }, maxAttempts);
  let id = messageId;
  if (jobId !== undefined && jobId !== null) {
    const idCheck = checkJobId(jobId);
    if (!idCheck.ok) return rejected(messageId, idCheck.reason, { ...rest, jobId, url }, maxAttempts);
    id = idCheck.value;
  }
  return {
    ok: true,
    job: {
      id,
      type: 'download',
      source: 'sqs',
      sourceMessageId: messageId,
      url: urlCheck.value,
      metadata: rest,
      maxAttempts,
    },
  };
}
