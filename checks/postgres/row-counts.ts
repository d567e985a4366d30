import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withConnection } from './client.js';
import { quoteName } from './values.js';

const count = z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]);

const params = z.strictObject({
  tables: z.array(z.string().min(1)).min(1, 'name at least one table, e.g. [orders, public.payments]').describe('Tables to count: orders, billing.invoices'),
  expected: z.record(z.string(), count).optional().describe('Counts captured earlier ({table: n}), typically "${nodes.ID.outputs.counts}": makes the node a comparison'),
  compare: z.enum(['equal', 'not-fewer']).default('equal').describe('equal: no row lost or added; not-fewer: rows may have been added since'),
});

export default defineCheck({
  kind: 'postgres.row-counts',
  summary: 'Exact row counts of named tables, as outputs; with `expected`, "no data lost" against earlier counts',
  description:
    'Counts rows (`count(*)`, exact, read-only, one snapshot for all tables) and outputs `counts` ({table: n}). Without `expected` it ' +
    'observes one list element per table (default `expect: ">= 0"`; `">= 1"`: every table has rows). With `expected` — usually the `counts` of an ' +
    'earlier node, `${nodes.ID.outputs.counts}`, or of the last promote in a rollback — it is a verdict: `compare: equal` fails on ' +
    'any difference, `not-fewer` only when a table lost rows; every difference and every table missing on either side is a reason. ' +
    'With `expected` the verdict decides and `expect` is not used.',
  params,
  observes: 'list',
  // Counting at all is the default healthy condition; `expected` makes the node a verdict instead.
  defaultExpect: '>= 0',
  mutates: false,
  system: 'postgres',
  outputs: { counts: '{ table: rows } for every table in `tables`' },
  examples: [
    '- id: counts-before\n  uses: postgres.row-counts\n  with: { tables: [orders, payments] }',
    '- id: no-data-lost\n  uses: postgres.row-counts\n  with: { tables: [orders, payments], expected: "${nodes.counts-before.outputs.counts}", compare: not-fewer }',
  ],
  async run(p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.row-counts' }, async (client) => {
      const missing = [];
      for (const table of p.tables) {
        const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [quoteName(table)]);
        if (!rows[0].found) missing.push(table);
      }
      if (missing.length > 0) {
        const db = (await client.query('SELECT current_database() AS db')).rows[0].db as string;
        const reasons = missing.map((t) => `table ${t} does not exist in database ${db}`);
        // A table that vanished is data lost when comparing; otherwise the node cannot count.
        return p.expected ? { status: 'fail' as const, reasons } : { error: reasons.join('; ') };
      }
      const select = p.tables.map((t, i) => `(SELECT count(*) FROM ${quoteName(t)}) AS c${i}`).join(', ');
      const { rows } = await client.query(`SELECT ${select}`);
      const counts = Object.fromEntries(p.tables.map((t, i) => [t, Number(rows[0][`c${i}`])]));
      const outputs = { counts };
      const table = p.tables.map((t) => ({ table: t, rows: counts[t], ...(p.expected ? { expected: p.expected[t] ?? null } : {}) }));
      if (!p.expected) {
        return { observed: p.tables.map((t) => ({ name: t, value: counts[t]! })), details: { rows: table }, outputs };
      }
      const reasons = compareCounts(counts, p.expected, p.compare);
      if (reasons.length > 0) return { status: 'fail' as const, reasons, details: { rows: table }, outputs };
      return { status: 'pass' as const, reasons: [p.compare === 'equal' ? `all ${p.tables.length} tables have the expected counts` : `no table has fewer rows than expected`], details: { rows: table }, outputs };
    });
  },
});

function compareCounts(counts: Record<string, number>, expected: Record<string, number>, compare: 'equal' | 'not-fewer'): string[] {
  const reasons: string[] = [];
  for (const [table, now] of Object.entries(counts)) {
    const before = expected[table];
    if (before === undefined) {
      reasons.push(`${table}: no earlier count to compare with (expected has ${Object.keys(expected).join(', ') || 'no tables'})`);
      continue;
    }
    const diff = now - before;
    if (diff < 0) reasons.push(`${table}: ${now} rows, expected ${before} (${-diff} fewer)`);
    else if (diff > 0 && compare === 'equal') reasons.push(`${table}: ${now} rows, expected ${before} (${diff} more)`);
  }
  for (const table of Object.keys(expected)) {
    if (!(table in counts)) reasons.push(`${table}: counted before but not in tables now`);
  }
  return reasons;
}
