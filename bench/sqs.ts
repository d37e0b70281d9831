/**
 * `npm run bench:sqs`: SQS ingestion against one fauxqs, side by side with sqs-consumer
 * (handleMessageBatch writing the same rows into the same SQLite schema), in one run.
 *
 *  1. ingest: N messages already queued; messages/s from first receive to last row committed
 *     and message deleted, and SQS API calls per message (counted at the client).
 *  2. pickup: on an idle server, SendMessage → the job's handler starts; p50/p99 over
 *     sequential messages. Both feed the same scheduler (2 slots), so only the intake differs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Message, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { Consumer } from 'sqs-consumer';
import { type Db, openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import { countByStatus, enqueueJobs } from '../src/jobs/store/index.js';
import { silentLogger } from '../src/logger.js';
import { parseMessage } from '../src/sqs/parse-message.js';
import { type PollerCapacity, SqsPoller } from '../src/sqs/poller.js';
import { schedulerCapacity } from '../src/sqs/scheduler-capacity.js';
import { printTable, summarize } from './lib/stats.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const PICKUPS = Number(process.env.BENCH_PICKUPS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'bench-sqs-'));
const fauxqs = await startFauxqs({ port: 0, logger: false });
const endpoint = `http://127.0.0.1:${fauxqs.port}`;
const clock = { now: () => Date.now() };

/** A client that counts the SQS operations it sends. */
function countingClient() {
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const counter = { calls: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, counter };
}

async function database(name: string): Promise<{ db: Db; close(): Promise<void> }> {
  const opened = openDatabase(join(dir, `${name}.db`));
  const { error } = await migrateToLatest(opened.db);
  if (error) throw error;
  return opened;
}

async function preload(queueName: string, count: number): Promise<string> {
  const { queueUrl } = fauxqs.createQueue(queueName, { attributes: { VisibilityTimeout: '60' } });
  const { client } = countingClient();
  for (let i = 0; i < count; i += 10) {
    const Entries = Array.from({ length: Math.min(10, count - i) }, (_, k) => ({
      Id: String(k),
      MessageBody: JSON.stringify({ jobId: `${queueName}-${i + k}`, url: `https://media.example/${i + k}.mp4` }),
    }));
    await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
  }
  client.destroy();
  return queueUrl;
}

/** sqs-consumer as its users write it: batches of 10, long polling, rows stored then acknowledged. */
function peerConsumer(queueUrl: string, client: SQSClient, db: Db, afterStore: () => void = () => {}) {
  const consumer = Consumer.create({
    queueUrl,
    sqs: client,
    batchSize: 10,
    waitTimeSeconds: 20,
    handleMessageBatch: async (messages) => {
      await storeBatch(db, messages);
      afterStore();
      return messages;
    },
  });
  // Stopping aborts a request in flight; that is expected here.
  consumer.on('error', () => {});
  return consumer;
}

/** This server's poller with the benchmark's settings. */
function ourPoller(queueUrl: string, client: SQSClient, db: Db, capacity: PollerCapacity) {
  return new SqsPoller({
    client,
    queueUrl,
    db,
    capacity,
    waitTimeSeconds: 20,
    pollingIntervalMs: 1000,
    prefetch: 0,
    maxAttempts: 5,
    logger: silentLogger(),
  });
}

/** The rows sqs-consumer writes: the same parse and the same insert as the poller. */
async function storeBatch(db: Db, messages: Message[]): Promise<void> {
  const jobs = messages.map((m) => parseMessage({ ...m, MessageId: m.MessageId ?? '' }, 5).job);
  await db.transaction().execute((trx) => enqueueJobs(trx, jobs, Date.now()));
}

async function untilAllStored(db: Db, count: number): Promise<void> {
  while ((await countByStatus(db)).queued < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function ingestOurs() {
  const queueUrl = await preload('ours-ingest', MESSAGES);
  const { db, close } = await database('ours-ingest');
  const { client, counter } = countingClient();
  // Room for a full batch every time: this measures the intake path, not job execution.
  const capacity: PollerCapacity = { free: async () => 10, changed: async () => {}, jobsAdded: () => {} };
  const poller = ourPoller(queueUrl, client, db, capacity);
  const done = new Promise<void>((resolve) =>
    poller.on('ingested', () => {
      if (poller.status().ingested >= MESSAGES) resolve();
    }),
  );
  const started = performance.now();
  poller.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await poller.stop();
  const calls = counter.calls;
  client.destroy();
  await close();
  return { rate: MESSAGES / seconds, callsPerMessage: calls / MESSAGES };
}

async function ingestPeer() {
  const queueUrl = await preload('peer-ingest', MESSAGES);
  const { db, close } = await database('peer-ingest');
  const { client, counter } = countingClient();
  const consumer = peerConsumer(queueUrl, client, db);
  const done = new Promise<void>((resolve) =>
    consumer.on('response_processed', () => {
      void countByStatus(db).then((c) => c.queued >= MESSAGES && resolve());
    }),
  );
  const started = performance.now();
  consumer.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  consumer.stop({ abort: true });
  await untilAllStored(db, MESSAGES);
  const calls = counter.calls;
  client.destroy();
  await close();
  return { rate: MESSAGES / seconds, callsPerMessage: calls / MESSAGES };
}

/** Sequential messages on an idle node: SendMessage → handler start. */
async function pickup(name: string, intake: 'ours' | 'peer') {
  const { queueUrl } = fauxqs.createQueue(`${name}-pickup`);
  const { db, close } = await database(`${name}-pickup`);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let started: (id: string) => void = () => {};
  const scheduler = new Scheduler({
    db,
    handlers: new Map([['download', { run: async ({ job }) => void started(job.id) }]]),
    concurrency: 2,
    leaseMs: 30_000,
    jobTimeoutMs: 60_000,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    logger: silentLogger(),
  });
  await scheduler.start();
  const { client } = countingClient();
  let stop: () => Promise<void>;
  if (intake === 'ours') {
    const poller = ourPoller(queueUrl, client, db, schedulerCapacity(scheduler, db, clock));
    poller.start();
    stop = () => poller.stop();
  } else {
    const consumer = peerConsumer(queueUrl, client, db, () => scheduler.wake());
    consumer.start();
    stop = async () => consumer.stop({ abort: true });
  }
  const sender = countingClient().client;
  // Let the first long poll begin.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < PICKUPS; i++) {
    const id = `${name}-${i}`;
    const running = new Promise<void>((resolve) => {
      started = (startedId) => {
        if (startedId === id) {
          latencies.push(performance.now() - (sentAt.get(id) ?? 0));
          resolve();
        }
      };
    });
    sentAt.set(id, performance.now());
    await sender.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ jobId: id, url: 'https://media.example/a.mp4' }),
      }),
    );
    await running;
  }
  await stop();
  await scheduler.stop(1000);
  sender.destroy();
  client.destroy();
  await close();
  return summarize(latencies);
}

try {
  const ours = await ingestOurs();
  const peer = await ingestPeer();
  const ourPickup = await pickup('ours', 'ours');
  const peerPickup = await pickup('peer', 'peer');
  printTable(
    `SQS ingestion against fauxqs: ${MESSAGES} queued messages; pickup over ${PICKUPS} sequential messages`,
    ['intake', 'ingest msg/s', 'SQS calls/msg', 'pickup p50 ms', 'pickup p99 ms'],
    [
      ['this server (SqsPoller)', ours.rate, ours.callsPerMessage.toFixed(3), ourPickup.p50, ourPickup.p99],
      [
        'sqs-consumer 14.2.8 (handleMessageBatch)',
        peer.rate,
        peer.callsPerMessage.toFixed(3),
        peerPickup.p50,
        peerPickup.p99,
      ],
    ],
  );
  process.stdout.write(
    `\ningest rate ratio (this server / sqs-consumer): ${(ours.rate / peer.rate).toFixed(2)}x\n` +
      `pickup p50 ratio (sqs-consumer / this server): ${(peerPickup.p50 / ourPickup.p50).toFixed(2)}x\n`,
  );
} finally {
  await fauxqs.stop();
  rmSync(dir, { recursive: true, force: true });
}
