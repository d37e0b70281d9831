import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { loggerOptions, redactUrl } from '../../src/logger.js';

describe('logger', () => {
  it('logs URLs without their query string or credentials (signed URLs carry secrets there)', () => {
    expect(redactUrl('https://bucket.s3.amazonaws.com/a.mp4?X-Amz-Signature=abc&X-Amz-Credential=k')).to.equal(
      'https://bucket.s3.amazonaws.com/a.mp4?…',
    );
    expect(redactUrl('https://user:pass@media.example/a.mp4#t=1')).to.equal('https://media.example/a.mp4');
    expect(redactUrl('not a url')).to.equal('[unparseable url]');
    expect(redactUrl(null)).to.equal(null);
  });

  it('redacts authorization headers and tokens by path', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino(loggerOptions('info'), sink);
    logger.info(
      { req: { headers: { authorization: 'Bearer s3cret' } }, apiToken: 't0ken', config: { apiToken: 'x' } },
      'hi',
    );
    const text = lines.join('');
    expect(text).to.not.contain('s3cret').and.not.contain('t0ken');
    expect(JSON.parse(text).req.headers.authorization).to.equal('[redacted]');
    expect(JSON.parse(text).level).to.equal('info');
  });
});
