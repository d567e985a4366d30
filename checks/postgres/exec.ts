import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { probeServer, withConnection } from './client.js';
import { evidenceRows, printable } from './values.js';

const params = z.strictObject({
  statements: z.array(z.string().min(1)).min(1, 'give at least one SQL statement').describe('SQL statements, run in order'),
  transaction: z
    .union([z.literal('auto'), z.boolean()])
    .default('auto')
    .describe('auto: one transaction unless a statement cannot run in one (ALTER SYSTEM, VACUUM, CREATE DATABASE, CONCURRENTLY); true/false to force'),
  maxRows: z.number().int().min(0).max(1000).default(20).describe('Rows of the last statement kept in the evidence and outputs'),
});

// Statements PostgreSQL refuses inside a transaction block.
const OUTSIDE_TRANSACTION = [
  /^\s*ALTER\s+SYSTEM\b/i,
  /^\s*VACUUM\b/i,
  /^\s*(CREATE|DROP)\s+DATABASE\b/i,
  /^\s*(CREATE|DROP|ALTER)\s+TABLESPACE\b/i,
  /^\s*(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\b[^;]*)\s+CONCURRENTLY\b/i,
  /^\s*REINDEX\s*\(?[^;]*\bCONCURRENTLY\b/i,
  /^\s*(CREATE|DROP)\s+SUBSCRIPTION\b/i,
  /^\s*ALTER\s+DATABASE\b[^;]*\bSET\s+TABLESPACE\b/i,
];

export function needsAutocommit(statement: string): boolean {
  return OUTSIDE_TRANSACTION.some((re) => re.test(statement));
}

export default defineCheck({
  kind: 'postgres.exec',
  summary: 'Run SQL statements that change the server (mutating): one transaction, or one by one when required',
  description:
    'Runs `statements` in order. With `transaction: auto` (default) they share one transaction — all or nothing — unless one ' +
    'cannot run in a transaction block (`ALTER SYSTEM`, `VACUUM`, `CREATE/DROP DATABASE`, `... CONCURRENTLY`): then each commits ' +
    'on its own, so `ALTER SYSTEM SET default_transaction_read_only = on` followed by `SELECT pg_reload_conf()` works as in psql. ' +
    'Observes the row count of the last statement (rows returned or changed; `>= 0` by default: "it ran"), or with ' +
    '`observe: value` its single value (e.g. how many backends `pg_terminate_backend` stopped). A failing statement is an ' +
    '`error` naming it; in a transaction nothing was committed.',
  params,
  observes: 'any',
  observeChoices: { default: 'rowCount', patterns: [/^rowCount$/, /^value$/], help: ['rowCount (default): rows returned/changed by the last statement', 'value: the single value the last statement returned'] },
  defaultExpect: (observe) => (observe === 'value' ? undefined : '>= 0'),
  mutates: true,
  system: 'postgres',
  outputs: { rowCount: 'rows returned/changed by the last statement', value: 'its single value, when it returned one', rows: 'its rows (first maxRows)' },
  examples: [
    '- id: read-only-on\n  uses: postgres.exec\n  connection: primary\n  with:\n    statements:\n      - ALTER SYSTEM SET default_transaction_read_only = on\n      - SELECT pg_reload_conf()',
    "- id: drain-connections\n  uses: postgres.exec\n  with:\n    statements:\n      - SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename <> current_user\n  observe: value\n  expect: \">= 0\"",
  ],
  async run(p, ctx) {
    const inTransaction = p.transaction === 'auto' ? !p.statements.some(needsAutocommit) : p.transaction;
    return withConnection(ctx, { readOnly: false, kind: 'postgres.exec' }, async (client) => {
      if (inTransaction) await client.query('BEGIN');
      let last: { rows: Array<Record<string, unknown>>; rowCount: number | null; fields: Array<{ name: string }> } | undefined;
      for (const [i, statement] of p.statements.entries()) {
        try {
          last = await client.query(statement);
        } catch (error) {
          if (inTransaction) await client.query('ROLLBACK').catch(() => {});
          const e = error as Error;
          const done = inTransaction ? 'nothing was committed' : i === 0 ? 'no statement was applied' : `statements 1-${i} were applied`;
          e.message = `statement ${i + 1} of ${p.statements.length} failed (${done}): ${e.message} — ${abbreviate(statement)}`;
          throw e;
        }
        ctx.log(`ok ${abbreviate(statement)} (${last.rowCount ?? 0} rows)`);
      }
      if (inTransaction) await client.query('COMMIT');
      const rows = last?.rows ?? [];
      const single = rows.length === 1 && last?.fields.length === 1 ? printable(rows[0]![last.fields[0]!.name]) : null;
      const rowCount = last?.rowCount ?? 0;
      const details = { rows: evidenceRows(rows, p.maxRows), notes: [`${p.statements.length} statement(s) ran ${inTransaction ? 'in one transaction' : 'one by one (autocommit)'}`] };
      const outputs = { rowCount, value: single, rows: evidenceRows(rows, p.maxRows) };
      return { observed: ctx.observe === 'value' ? single : rowCount, details, outputs };
    });
  },
  preflight: (_p, ctx) => probeServer(ctx, 'postgres.exec'),
});

function abbreviate(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
