/**
 * `npm run test:job-queue [-- --count 5 --url https://…]`: sends test download jobs to the
 * queue the server polls (LOCALSTACK=true by default: the local emulator and default queue).
 * Without --url the jobs point at the local sample-media server (`npm run media:local`).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { type ConfigError, loadConfig } from '../config.js';
import { createSqsClient, resolveQueueUrl } from '../sqs/sqs-client.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5' },
    url: { type: 'string' },
    'media-url': { type: 'string', default: process.env.MEDIA_URL ?? 'http://127.0.0.1:8089' },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 10_000) {
  process.stderr.write('--count must be an integer from 1 to 10000\n');
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ LOCALSTACK: 'true', ...process.env });
} catch (error) {
  process.stderr.write(`${(error as ConfigError).message}\n`);
  process.exit(2);
}
const client = createSqsClient(config.sqs);
const queueUrl = await resolveQueueUrl(client, config.sqs);
if (!queueUrl) {
  process.stderr.write('no queue: set SQS_QUEUE_URL, or LOCALSTACK=true for the local default queue\n');
  process.exit(2);
}

const run = randomUUID().slice(0, 8);
const bodies = Array.from({ length: count }, (_, i) => ({
  jobId: `test-${run}-${i + 1}`,
  // Sizes vary so progress and resume are visible: 1, 2, 3 … MiB.
  url: values.url ?? `${values['media-url']}/sample-${i + 1}.mp4?size=${(i + 1) * 1024 * 1024}`,
  sentBy: 'test:job-queue',
}));
for (let i = 0; i < bodies.length; i += 10) {
  const entries = bodies.slice(i, i + 10).map((body, k) => ({ Id: String(k), MessageBody: JSON.stringify(body) }));
  const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  if (out.Failed?.length) process.stderr.write(`failed to send: ${JSON.stringify(out.Failed)}\n`);
}
process.stdout.write(
  `sent ${count} job(s) to ${queueUrl}:\n${bodies.map((b) => `  ${b.jobId}  ${b.url}`).join('\n')}\n`,
);
client.destroy();
