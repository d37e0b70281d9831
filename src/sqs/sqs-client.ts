/**
 * The SQS client and the queue URL. By default the SDK's own configuration applies
 * (AWS_REGION, AWS_ENDPOINT_URL_SQS, credentials chain, …). LOCALSTACK=true points at a local
 * emulator (LocalStack or fauxqs) with test credentials, and creates the default queue.
 */
import { CreateQueueCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { SqsConfig } from '../config.js';

export const DEFAULT_LOCAL_QUEUE = 'video-pipeline-jobs';

export function createSqsClient(config: SqsConfig, env: Record<string, string | undefined> = process.env): SQSClient {
  const options: SQSClientConfig = {
    // The poller retries with its own backoff; the SDK's retries would hide outages from it.
    maxAttempts: 2,
  };
  if (config.localstack) {
    options.endpoint = config.localstackEndpoint;
    options.region = env.AWS_REGION ?? 'us-east-1';
    options.credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  }
  return new SQSClient(options);
}

/** SQS_QUEUE_URL, or with LOCALSTACK=true the default local queue (created when missing). */
export async function resolveQueueUrl(client: SQSClient, config: SqsConfig): Promise<string | undefined> {
  if (config.queueUrl) return config.queueUrl;
  if (!config.localstack) return undefined;
  const created = await client.send(new CreateQueueCommand({ QueueName: DEFAULT_LOCAL_QUEUE }));
  return created.QueueUrl;
}
