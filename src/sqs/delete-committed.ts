/**
 * DeleteMessageBatch for messages whose rows are committed, retrying the entries that fail.
 * Never aborted: a started ingest finishes its delete even during shutdown. What still cannot
 * be deleted comes back after its visibility timeout and is recognised as a duplicate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchRequestEntry,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '../logger.js';

const TRIES = 3;

/** Returns how many messages could not be deleted. */
export async function deleteCommitted(
  client: Pick<SQSClient, 'send'>,
  queueUrl: string,
  messages: readonly Message[],
  logger: Logger,
): Promise<number> {
  let pending: DeleteMessageBatchRequestEntry[] = messages.flatMap((m, i) =>
    m.ReceiptHandle ? [{ Id: String(i), ReceiptHandle: m.ReceiptHandle }] : [],
  );
  for (let attempt = 1; pending.length > 0 && attempt <= TRIES; attempt++) {
    try {
      const response = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failedIds = new Set((response.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
    } catch (error) {
      logger.warn({ err: error, entries: pending.length, attempt }, 'DeleteMessageBatch failed');
    }
    if (pending.length > 0 && attempt < TRIES) await sleep(200 * 4 ** (attempt - 1));
  }
  if (pending.length > 0) {
    logger.warn(
      { messages: pending.length },
      'could not delete ingested messages; SQS will redeliver them and they will be recognised as duplicates',
    );
  }
  return pending.length;
}
