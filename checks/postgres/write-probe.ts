import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { probeServer, withConnection } from './client.js';
import { quoteName } from './values.js';

// SQLSTATEs that mean "this server does not accept writes now": read-only, disk full, shutting down.
const REFUSED = new Set(['25006', '53100', '57P01', '57P03', '42501']);

export default defineCheck({
  kind: 'postgres.write-probe',
  summary: 'Write a probe row, read it back, delete it (mutating): the database accepts writes',
  description:
    'Creates `table` if needed (`create: true`), inserts a row with a unique id, reads it back and deletes it (unless ' +
    '`keep: true`). Passes when the row round-trips. A write the server refuses — read-only mode (`default_transaction_read_only`, ' +
    'a standby), disk full, no privilege — is `fail` with the reason; an unreachable server is `error`. After a cut-over: "writes ' +
    'work again".',
  params: z.strictObject({
    table: z.string().min(1).default('rollout_probe').describe('The probe table, optionally schema-qualified'),
    create: z.boolean().default(true).describe('CREATE TABLE IF NOT EXISTS (id text primary key, written_at timestamptz) first'),
    keep: z.boolean().default(false).describe('Leave the probe row in place instead of deleting it'),
  }),
  observes: 'verdict',
  mutates: true,
  system: 'postgres',
  outputs: { id: 'the probe row id', roundTripMs: 'insert + read back, in milliseconds' },
  examples: ['- id: writes-work\n  uses: postgres.write-probe\n  connection: primary\n  with: { table: ops.rollout_probe }'],
  async run(p, ctx) {
    const table = quoteName(p.table);
    const id = `${ctx.nodeId}-${randomUUID()}`;
    return withConnection(ctx, { readOnly: false, kind: 'postgres.write-probe' }, async (client) => {
      const startedAt = performance.now();
      try {
        if (p.create) {
          await client.query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())`);
          // One row in, one out: autovacuum would never analyze it, and a gate asking "every
          // table analyzed" would fail on the table the probe itself left behind.
          await client.query(`ANALYZE ${table}`);
        }
        await client.query(`INSERT INTO ${table} (id) VALUES ($1)`, [id]);
      } catch (error) {
        const e = error as { code?: string; message: string };
        if (e.code && REFUSED.has(e.code)) return { status: 'fail' as const, reasons: [`the write was refused: ${e.message}`] };
        throw error;
      }
      const { rows } = await client.query(`SELECT id FROM ${table} WHERE id = $1`, [id]);
      const roundTripMs = Math.round(performance.now() - startedAt);
      if (!p.keep) await client.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
      if (rows.length !== 1) return { status: 'fail' as const, reasons: [`wrote probe row ${id} to ${p.table} but could not read it back`] };
      return { status: 'pass' as const, reasons: [`wrote and read back a row in ${p.table} in ${roundTripMs} ms`], outputs: { id, roundTripMs } };
    });
  },
  preflight: (_p, ctx) => probeServer(ctx, 'postgres.write-probe'),
});
