import { expect } from 'chai';
import { MAX_BODY_BYTES, parseMessage } from '../../../src/sqs/parse-message.js';
import { classifySqsError } from '../../../src/sqs/sqs-errors.js';

const parse = (Body: string, MessageId = 'm-1') => parseMessage({ MessageId, Body }, 5);

describe('SQS message parsing', () => {
  it('turns a valid body into a queued download, keeping the rest as metadata', () => {
    const out = parse(
      JSON.stringify({ jobId: 'clip-42', url: 'https://media.example/a.mp4', campaign: 'spring', n: 3 }),
    );
    expect(out.ok).to.equal(true);
    expect(out.job).to.deep.include({
      id: 'clip-42',
      type: 'download',
      source: 'sqs',
      sourceMessageId: 'm-1',
      url: 'https://media.example/a.mp4',
      metadata: { campaign: 'spring', n: 3 },
      maxAttempts: 5,
    });
    expect(out.job.rejected).to.equal(undefined);
  });

  it('uses the message id when the body has no jobId', () => {
    expect(parse('{"url":"http://media.example/b.mp4"}', 'abc-123').job.id).to.equal('abc-123');
  });

  const invalid: Array<[string, string, string]> = [
    ['not JSON', 'hello', 'not valid JSON'],
    ['empty', '', 'not valid JSON'],
    ['an array', '[1,2]', 'must be a JSON object'],
    ['a string', '"https://x.example/a"', 'must be a JSON object'],
    ['null', 'null', 'must be a JSON object'],
    ['no url', '{"jobId":"a"}', 'url is required'],
    ['a numeric url', '{"url":42}', 'url is required'],
    ['a relative url', '{"url":"/videos/a.mp4"}', 'not a valid absolute URL'],
    ['another scheme', '{"url":"ftp://media.example/a.mp4"}', 'must use http or https, not ftp'],
    ['a file url', '{"url":"file:///etc/passwd"}', 'must use http or https, not file'],
    ['a path-traversing jobId', '{"url":"https://a.example/x","jobId":"../../etc"}', 'jobId must be'],
    ['a jobId with a slash', '{"url":"https://a.example/x","jobId":"a/b"}', 'jobId must be'],
    ['a jobId with a NUL', '{"url":"https://a.example/x","jobId":"a\\u0000b"}', 'jobId must be'],
    ['a numeric jobId', '{"url":"https://a.example/x","jobId":7}', 'jobId must be'],
    ['a very long jobId', JSON.stringify({ url: 'https://a.example/x', jobId: 'a'.repeat(129) }), 'jobId must be'],
    [
      'an oversized body',
      JSON.stringify({ url: 'https://a.example/x', pad: 'x'.repeat(MAX_BODY_BYTES) }),
      'the limit is',
    ],
  ];
  for (const [what, body, reason] of invalid) {
    it(`rejects ${what}, keyed by the message id, with the reason`, () => {
      const out = parse(body, 'm-bad');
      expect(out.ok).to.equal(false);
      if (out.ok) return;
      expect(out.reason).to.contain(reason);
      expect(out.job).to.deep.include({ id: 'm-bad', sourceMessageId: 'm-bad', source: 'sqs', url: null });
      expect(out.job.rejected).to.deep.include({ code: 'invalid_message', retryable: false });
    });
  }
});

describe('SQS error classification', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('boom'), { name, ...extra });
  it('names the kinds an operator can act on', () => {
    expect(classifySqsError(named('CredentialsProviderError')).kind).to.equal('credentials');
    expect(classifySqsError(named('InvalidClientTokenId')).kind).to.equal('credentials');
    expect(classifySqsError(named('QueueDoesNotExist')).kind).to.equal('queue_missing');
    expect(classifySqsError(named('AWS.SimpleQueueService.NonExistentQueue')).kind).to.equal('queue_missing');
    expect(classifySqsError(named('ThrottlingException')).kind).to.equal('throttled');
    expect(classifySqsError(named('Error', { code: 'ECONNREFUSED' })).kind).to.equal('network');
    expect(classifySqsError(named('Error', { cause: { code: 'ENOTFOUND' } })).kind).to.equal('network');
    expect(classifySqsError(named('InternalError')).kind).to.equal('other');
    expect(classifySqsError(undefined).kind).to.equal('other');
  });
});
