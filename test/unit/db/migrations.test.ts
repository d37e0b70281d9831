import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { dumpSchema } from '../../../src/db/schema-dump.js';
import { createTestDb } from '../../helpers/db.js';

const SNAPSHOT = new URL('../../../migrations/schema.snapshot.sql', import.meta.url);

describe('migrations', () => {
  it('produce exactly the committed schema snapshot (run `npm run schema:dump` after a migration)', async () => {
    const { raw, close } = await createTestDb();
    try {
      expect(dumpSchema(raw)).to.equal(readFileSync(SNAPSHOT, 'utf8'));
    } finally {
      await close();
    }
  });

  it('apply the pragmas the durability promises depend on', async () => {
    const { raw, close } = await createTestDb();
    try {
      expect(raw.pragma('synchronous', { simple: true })).to.equal(2); // FULL
      expect(raw.pragma('foreign_keys', { simple: true })).to.equal(1);
      expect(raw.pragma('busy_timeout', { simple: true })).to.equal(5000);
      expect(raw.pragma('auto_vacuum', { simple: true })).to.equal(2); // INCREMENTAL
    } finally {
      await close();
    }
  });
});
