import { join, resolve, sep } from 'node:path';
import { expect } from 'chai';
import {
  chooseFileName,
  extensionForType,
  FALLBACK_NAME,
  jobFolder,
  MAX_NAME_BYTES,
  nameFromUrl,
  parseContentDisposition,
  sanitizeFileName,
} from '../../../src/download/file-name.js';

const DIR = resolve('/srv/downloads');
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** What every name the sanitiser returns must satisfy: one component that stays inside the folder. */
function assertSafe(name: string | undefined): void {
  if (name === undefined) return;
  expect(name).not.to.match(/[/\\\0]/);
  expect(name).not.to.be.oneOf(['', '.', '..']);
  expect(name.startsWith('.')).to.equal(false);
  expect(bytes(name)).to.be.at.most(MAX_NAME_BYTES);
  const path = join(DIR, 'job-1', name);
  expect(path.startsWith(`${join(DIR, 'job-1')}${sep}`)).to.equal(true);
}

describe('file names', () => {
  describe('parseContentDisposition', () => {
    const table: Array<[string | undefined, string | undefined]> = [
      ['attachment; filename="clip.mp4"', 'clip.mp4'],
      ['attachment; filename=clip.mp4', 'clip.mp4'],
      ['inline; FILENAME="a \\"quoted\\" name.mp4"', 'a "quoted" name.mp4'],
      ['attachment; filename="fallback.mp4"; filename*=UTF-8\'\'%C3%A9t%C3%A9%20clip.mp4', 'été clip.mp4'],
      ["attachment; filename*=iso-8859-1'en'%E9t%E9.mp4", 'été.mp4'],
      ['attachment; filename*=UTF-8\'\'%E9%ZZbroken; filename="plain.mp4"', 'plain.mp4'],
      ['filename="no-type.mp4"', 'no-type.mp4'],
      ['attachment', undefined],
      [undefined, undefined],
    ];
    for (const [header, expected] of table) {
      it(`${JSON.stringify(header)} → ${JSON.stringify(expected)}`, () => {
        expect(parseContentDisposition(header)).to.equal(expected);
      });
    }
  });

  describe('nameFromUrl', () => {
    it('takes the last path segment, percent-decoded', () => {
      expect(nameFromUrl(new URL('https://cdn.test/videos/my%20clip.mp4?sig=abc'))).to.equal('my clip.mp4');
      expect(nameFromUrl(new URL('https://cdn.test/videos/clip.mp4/'))).to.equal('clip.mp4');
    });

    it('keeps a segment that is not valid percent-encoding as it is', () => {
      expect(nameFromUrl(new URL('https://cdn.test/%E0%A4%A.mp4'))).to.equal('%E0%A4%A.mp4');
    });

    it('has nothing for a bare host', () => {
      expect(nameFromUrl(new URL('https://cdn.test/'))).to.equal(undefined);
    });
  });

  describe('sanitizeFileName', () => {
    const table: Array<[string, string | undefined]> = [
      ['clip.mp4', 'clip.mp4'],
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\windows\\system32\\evil.dll', 'evil.dll'],
      ['/etc/cron.d/job', 'job'],
      ['C:\\temp\\x.mp4', 'x.mp4'],
      ['..', undefined],
      ['.', undefined],
      ['...', undefined],
      ['/', undefined],
      ['', undefined],
      ['   ', undefined],
      ['clip\u0000.mp4', 'clip.mp4'],
      ['\u0000', undefined],
      ['a\u0001b\u001fc\u007fd\u0085.mp4', 'abcd.mp4'],
      ['gpj.\u202emp4', 'gpj.mp4'], // right-to-left override disguising the extension
      ['.hidden', 'hidden'],
      ['.download.json', 'download.json'],
      ['name.', 'name'],
      ['a<b>c:d"e|f?g*h.mp4', 'a_b_c_d_e_f_g_h.mp4'],
      ['many    spaces\t\nhere.mp4', 'many spaces here.mp4'],
      ['CON', '_CON'],
      ['nul.txt', '_nul.txt'],
      ['e\u0301te\u0301.mp4', 'été.mp4'], // NFC
    ];
    for (const [raw, expected] of table) {
      it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => {
        const name = sanitizeFileName(raw);
        expect(name).to.equal(expected);
        assertSafe(name);
      });
    }

    it('shortens very long names to the byte limit, keeping the extension', () => {
      const name = sanitizeFileName(`${'a'.repeat(10_000)}.mp4`);
      expect(name?.endsWith('.mp4')).to.equal(true);
      expect(bytes(name ?? '')).to.equal(MAX_NAME_BYTES);
      assertSafe(name);
    });

    it('never splits a multi-byte character when shortening', () => {
      const name = sanitizeFileName(`${'é'.repeat(300)}${'😀'.repeat(100)}.mkv`) ?? '';
      expect(bytes(name)).to.be.at.most(MAX_NAME_BYTES);
      expect(name).not.to.contain('\ufffd');
      expect(Buffer.from(name, 'utf8').toString('utf8')).to.equal(name);
      expect(name.endsWith('.mkv')).to.equal(true);
    });

    it('keeps arbitrary input inside the job folder (seeded fuzz, 5,000 names)', () => {
      const alphabet = [
        '.',
        '/',
        '\\',
        '\0',
        ' ',
        'a',
        'Z',
        '9',
        '-',
        '_',
        ':',
        '\u202e',
        'é',
        '😀',
        '\n',
        '%',
        '..',
        '../',
      ];
      let seed = 42;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 5000; i++) {
        const length = Math.floor(random() * 300);
        let raw = '';
        for (let j = 0; j < length; j++) raw += alphabet[Math.floor(random() * alphabet.length)];
        assertSafe(sanitizeFileName(raw));
      }
    });
  });

  describe('chooseFileName', () => {
    const url = new URL('https://cdn.test/media/video-123.mp4?token=x');

    it('prefers Content-Disposition, then the URL, then a fallback', () => {
      expect(chooseFileName({ contentDisposition: 'attachment; filename="Nice Title.mp4"', url })).to.equal(
        'Nice Title.mp4',
      );
      expect(chooseFileName({ url })).to.equal('video-123.mp4');
      expect(chooseFileName({ url: new URL('https://cdn.test/') })).to.equal(FALLBACK_NAME);
    });

    it('falls back to the URL when the header offers nothing usable', () => {
      expect(chooseFileName({ contentDisposition: 'attachment; filename=".."', url })).to.equal('video-123.mp4');
    });

    it('adds the content type extension only when the name has none', () => {
      expect(chooseFileName({ url: new URL('https://cdn.test/stream/abc'), contentType: 'video/webm' })).to.equal(
        'abc.webm',
      );
      expect(chooseFileName({ url: new URL('https://cdn.test/'), contentType: 'video/mp4; codecs=avc1' })).to.equal(
        'download.mp4',
      );
      expect(chooseFileName({ url, contentType: 'video/webm' })).to.equal('video-123.mp4');
      expect(
        chooseFileName({ url: new URL('https://cdn.test/abc'), contentType: 'application/octet-stream' }),
      ).to.equal('abc');
    });

    it('replaces the extension of a page that served the file', () => {
      expect(chooseFileName({ url: new URL('https://site.test/watch.php?v=1'), contentType: 'video/mp4' })).to.equal(
        'watch.mp4',
      );
    });

    it('stays safe for hostile headers', () => {
      const hostile = [
        'attachment; filename="../../../../etc/cron.d/evil"',
        'attachment; filename="/absolute/path.mp4"',
        'attachment; filename="a\u0000b.mp4"',
        `attachment; filename="${'x'.repeat(5000)}.mp4"`,
        "attachment; filename*=UTF-8''..%2F..%2Fescape.mp4",
        "attachment; filename*=UTF-8''%00%00",
      ];
      for (const contentDisposition of hostile) assertSafe(chooseFileName({ contentDisposition, url }));
      expect(chooseFileName({ contentDisposition: hostile[4], url })).to.equal('escape.mp4');
    });
  });

  describe('extensionForType', () => {
    it('maps common video types and ignores parameters and case', () => {
      expect(extensionForType('video/mp4')).to.equal('mp4');
      expect(extensionForType('Video/QuickTime; x=y')).to.equal('mov');
      expect(extensionForType('application/vnd.apple.mpegurl')).to.equal('m3u8');
      expect(extensionForType('application/x-unknown')).to.equal(undefined);
      expect(extensionForType(undefined)).to.equal(undefined);
    });
  });

  describe('jobFolder', () => {
    it('is DOWNLOAD_DIR/<jobId> for a valid id', () => {
      expect(jobFolder(DIR, 'clip-42')).to.equal(join(DIR, 'clip-42'));
      expect(jobFolder(DIR, 'a.b_c-d')).to.equal(join(DIR, 'a.b_c-d'));
    });

    const unsafe = ['..', '.', '../etc', '/etc', 'a/b', 'a\\b', 'a\0b', '', ' x', 'x'.repeat(129), '-rf', '.hidden'];
    for (const id of unsafe) {
      it(`refuses ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}…(${id.length})` : id)}`, () => {
        expect(jobFolder(DIR, id)).to.equal(undefined);
      });
    }
  });
});
