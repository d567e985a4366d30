import { describe, expect, it } from 'vitest';
import { mapItem } from '../../src/runbook/index.js';
import type { RunbookItem } from '../../src/runbook/index.js';
import { createDatabase, sql } from '../helpers/postgres/index.js';

const item = (text: string): RunbookItem => ({ line: 1, text, detail: '', headings: ['Database'], numbered: false, indent: 0 });

// Items whose rules write SQL or name a setting: what they produce must run on a real server.
const ITEMS = [
  'SSL enforced (`sslmode=require`)',
  '`pg_hba.conf` restricted to production IPs',
  'Replication slots configured',
  'Logical decoding configured',
  'Statistics updated (`ANALYZE`)',
  'Tablespaces created on separate disks',
  'Partitioning strategy applied (time-series tables)',
  'Foreign keys validated',
  'Database user roles minimized (principle of least privilege)',
  'Password hashing upgraded (scrypt/bcrypt, not MD5)',
  'Cache hit ratios above 90%',
];

describe('the SQL and settings the import rules write', () => {
  it.each(ITEMS)('"%s" runs read-only on PostgreSQL and returns one value', async (text) => {
    const { spec } = mapItem(item(text));
    const db = await createDatabase('runbook');
    if (spec.uses === 'postgres.setting') {
      const found = await sql(db.url, 'SELECT setting FROM pg_settings WHERE name = $1', [spec.with.name]);
      expect(found.rows).toHaveLength(1);
      return;
    }
    expect(spec.uses).toBe('postgres.query');
    // As postgres.query runs it: inside a read-only transaction.
    const result = await sql(db.url, `BEGIN READ ONLY; ${spec.with.sql as string}; COMMIT`) as unknown as Array<{ rows: unknown[]; fields: unknown[] }>;
    const answer = result[1]!;
    expect(answer.rows).toHaveLength(1);
    expect(answer.fields).toHaveLength(1);
  });
});
