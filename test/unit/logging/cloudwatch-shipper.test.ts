import { expect } from 'chai';
import sinon from 'sinon';
import { classifyLogsError, type LogsApi } from '../../../src/logging/cloudwatch-api.js';
import { abortableSleep, CloudWatchShipper, type RetryNotice } from '../../../src/logging/cloudwatch-shipper.js';

/** An error shaped like the SDK's: a name, and the HTTP status in $metadata when there was one. */
function sdkError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} (test)`), { name, $metadata: status ? { httpStatusCode: status } : {} });
}

function stubApi(): sinon.SinonStubbedInstance<LogsApi> & LogsApi {
  return {
    createLogGroup: sinon.stub<Parameters<LogsApi['createLogGroup']>, Promise<void>>().resolves(),
    createLogStream: sinon.stub<Parameters<LogsApi['createLogStream']>, Promise<void>>().resolves(),
    putLogEvents: sinon
      .stub<Parameters<LogsApi['putLogEvents']>, ReturnType<LogsApi['putLogEvents']>>()
      .resolves(undefined),
  };
}

const events = [
  { timestamp: 1, message: 'a' },
  { timestamp: 2, message: 'b' },
];

function shipperWith(api: LogsApi, notices: RetryNotice[] = [], sleeps: number[] = []) {
  return new CloudWatchShipper({
    api,
    logGroup: 'g',
    logStream: 's',
    backoff: { baseMs: 100, maxMs: 1_000 },
    random: () => 0.999_999,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRetry: (notice) => notices.push(notice),
  });
}

describe('cloudwatch shipper', () => {
  it('classifies errors: exists, missing, denied, retryable, fatal', () => {
    expect(classifyLogsError(sdkError('ResourceAlreadyExistsException', 400))).to.equal('exists');
    expect(classifyLogsError(sdkError('ResourceNotFoundException', 400))).to.equal('missing');
    expect(classifyLogsError(sdkError('AccessDeniedException', 400))).to.equal('denied');
    expect(classifyLogsError(sdkError('Whatever', 403))).to.equal('denied');
    expect(classifyLogsError(sdkError('ThrottlingException', 400))).to.equal('retryable');
    expect(classifyLogsError(sdkError('InternalFailure', 500))).to.equal('retryable');
    expect(classifyLogsError(sdkError('TooMany', 429))).to.equal('retryable');
    expect(classifyLogsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).to.equal(
      'retryable',
    );
    expect(classifyLogsError(sdkError('InvalidParameterException', 400))).to.equal('fatal');
  });

  it('retries the same batch after 5xx, throttling and network errors, backing off exponentially', async () => {
    const api = stubApi();
    api.putLogEvents
      .onCall(0)
      .rejects(sdkError('ServiceUnavailableException', 503))
      .onCall(1)
      .rejects(sdkError('ThrottlingException', 400))
      .onCall(2)
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const notices: RetryNotice[] = [];
    const sleeps: number[] = [];
    const outcome = await shipperWith(api, notices, sleeps).put(events, new AbortController().signal);
    expect(outcome).to.deep.include({ status: 'sent', attempts: 4 });
    expect(api.putLogEvents.callCount).to.equal(4);
    for (const call of api.putLogEvents.getCalls()) expect(call.args[2]).to.deep.equal(events);
    expect(sleeps).to.deep.equal([100, 200, 400]);
    expect(notices.map((n) => n.attempt)).to.deep.equal([1, 2, 3]);
  });

  it('caps the backoff at its maximum during a long outage', async () => {
    const api = stubApi();
    for (let i = 0; i < 8; i += 1) api.putLogEvents.onCall(i).rejects(sdkError('InternalFailure', 500));
    const sleeps: number[] = [];
    await shipperWith(api, [], sleeps).put(events, new AbortController().signal);
    expect(sleeps.slice(-3)).to.deep.equal([1_000, 1_000, 1_000]);
  });

  it('gives a batch up when CloudWatch says the request itself is wrong', async () => {
    const api = stubApi();
    api.putLogEvents.rejects(sdkError('InvalidParameterException', 400));
    const outcome = await shipperWith(api).put(events, new AbortController().signal);
    expect(outcome.status).to.equal('failed');
    expect(api.putLogEvents.callCount).to.equal(1);
  });

  it('recreates a deleted stream, then sends the batch', async () => {
    const api = stubApi();
    api.putLogEvents.onCall(0).rejects(sdkError('ResourceNotFoundException', 400));
    const outcome = await shipperWith(api).put(events, new AbortController().signal);
    expect(outcome.status).to.equal('sent');
    expect(api.createLogGroup.calledOnceWith('g')).to.equal(true);
    expect(api.createLogStream.calledOnceWith('g', 's')).to.equal(true);
    expect(api.createLogStream.firstCall.calledBefore(api.putLogEvents.secondCall)).to.equal(true);
  });

  it('carries on past "already exists" and "access denied" when creating', async () => {
    const api = stubApi();
    api.createLogGroup.rejects(sdkError('ResourceAlreadyExistsException', 400));
    api.createLogStream.rejects(sdkError('AccessDeniedException', 400));
    const outcome = await shipperWith(api).ensureStream();
    expect(outcome.group).to.equal('exists');
    expect(outcome.stream).to.have.property('error').that.has.property('name', 'AccessDeniedException');
  });

  it('stops retrying when its signal aborts, and says so', async () => {
    const api = stubApi();
    api.putLogEvents.rejects(sdkError('InternalFailure', 500));
    const controller = new AbortController();
    const shipper = new CloudWatchShipper({
      api,
      logGroup: 'g',
      logStream: 's',
      sleep: async () => {
        if (api.putLogEvents.callCount === 3) controller.abort();
      },
    });
    const outcome = await shipper.put(events, controller.signal);
    expect(outcome).to.deep.equal({ status: 'aborted', attempts: 3 });
    expect(api.putLogEvents.callCount).to.equal(3);
  });

  it('sleeps abortably', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).to.be.below(1_000);
  });
});
