/** The fauxqs SQS emulator for a test: started on a random port, with a queue and a client. */
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

export interface LocalSqs {
  server: Fauxqs;
  client: SQSClient;
  endpoint: string;
  queueUrl: string;
  queueName: string;
  stop(): Promise<void>;
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

export async function startLocalSqs(
  queueName = 'video-pipeline-jobs',
  attributes: Record<string, string> = { VisibilityTimeout: '30' },
  port = 0,
): Promise<LocalSqs> {
  const server = await startFauxqs({ port, logger: false });
  const { queueUrl } = server.createQueue(queueName, { attributes });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = sqsClient(endpoint);
  const local: LocalSqs = {
    server,
    client,
    endpoint,
    queueUrl,
    queueName,
    // Stops whichever emulator `server` holds now: a test may have replaced it with a restarted one.
    stop: async () => {
      client.destroy();
      await local.server.stop();
    },
  };
  return local;
}

/** Sends bodies in batches of 10; returns the message ids in order. */
export async function sendBodies(
  sqs: LocalSqs,
  bodies: string[],
  extra: Record<string, string> = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, k) => ({ Id: String(k), MessageBody: body, ...extra }));
    const out = await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl, Entries: entries }));
    if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    const byId = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId]));
    for (const entry of entries) ids.push(byId.get(entry.Id) as string);
  }
  return ids;
}

/** Messages visible and in flight, as SQS reports them. */
export async function queueDepth(sqs: LocalSqs): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: sqs.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? Number.NaN),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? Number.NaN),
  };
}
