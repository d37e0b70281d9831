/**
 * `npm run sqs:local`: a local SQS (the fauxqs emulator) on port 4566 with the default queue,
 * so the whole SQS flow runs on a laptop with no AWS account and no Docker. Then, in another
 * terminal: `LOCALSTACK=true npm run server` and `npm run test:job-queue`.
 */
import { startFauxqs } from 'fauxqs';
import { DEFAULT_LOCAL_QUEUE } from '../sqs/sqs-client.js';

const port = Number(process.env.FAUXQS_PORT ?? 4566);
const server = await startFauxqs({ port, logger: false });
const { queueUrl } = server.createQueue(DEFAULT_LOCAL_QUEUE, { attributes: { VisibilityTimeout: '60' } });
process.stdout.write(
  `local SQS (fauxqs) on http://127.0.0.1:${server.port}\nqueue: ${queueUrl}\n` +
    'start the server with: LOCALSTACK=true npm run server\nCtrl-C to stop (messages are kept in memory only)\n',
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
