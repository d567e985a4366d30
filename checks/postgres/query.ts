import { z } from 'zod';
import { defineCheck, type Observation } from '../../src/sdk/index.js';
import { withConnection } from './client.js';
import { evidenceRows, isInterval, printable } from './values.js';

const params = z.strictObject({
  sql: z.string().min(1, 'sql is required, e.g. "SELECT count(*) FROM pg_stat_activity"').describe('One SQL statement, run read-only'),
  params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('Values for $1, $2, ... (never build SQL from strings)'),
  label: z.string().optional().describe('observe: column:NAME — the column naming each element (default: the first other column)'),
  unit: z.enum(['seconds', 'bytes']).optional().describe('What a numeric result measures, so expect "< 5m" or "<= 2GB" converts'),
  maxRows: z.number().int().min(0).max(1000).default(20).describe('Rows kept in the evidence'),
});

export default defineCheck({
  kind: 'postgres.query',
  summary: 'Run a read-only SQL statement; observe its single value, its row count, or a column as a list',
  description:
    'Runs `sql` inside `BEGIN READ ONLY` with `statement_timeout` set from the node\'s timeout, so a gate can never change data ' +
    '(a statement that writes is an `error`). `observe: value` (default) is the one value the statement returns (one row, one column; ' +
    'no row is "no data"); `observe: rows` is the number of rows (0 is a value: "no offenders"); `observe: column:NAME` is a list with one ' +
    'element per row, named by `label` (or the first other column), judged element by element. Numbers returned as text (count, ' +
    'numeric, bigint) compare as numbers; an interval is converted to seconds; the first `maxRows` rows go to the evidence.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'value',
    patterns: [/^value$/, /^rows$/, /^column:.+$/],
    help: ['value (default): the single value returned', 'rows: the number of rows', 'column:NAME: one element per row'],
  },
  mutates: false,
  system: 'postgres',
  outputs: { value: 'the single value (observe: value)', rows: 'the number of rows returned' },
  examples: [
    '- id: pg15\n  uses: postgres.query\n  with: { sql: "SHOW server_version_num" }\n  expect: ">= 150000"',
    '- id: no-long-transactions\n  uses: postgres.query\n  with: { sql: "SELECT pid, extract(epoch FROM now() - xact_start) AS age FROM pg_stat_activity WHERE xact_start IS NOT NULL", unit: seconds }\n  observe: column:age\n  expect: "< 5m"',
    '- id: no-invalid-indexes\n  uses: postgres.query\n  with: { sql: "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid" }\n  observe: rows\n  expect: "== 0"',
  ],
  async run(p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.query' }, async (client) => {
      const result = await client.query(p.sql, p.params ?? []);
      const rows = result.rows as Array<Record<string, unknown>>;
      const columns = result.fields.map((f) => f.name);
      const details = {
        rows: evidenceRows(rows, p.maxRows),
        notes: rows.length > p.maxRows ? [`${rows.length} rows, first ${p.maxRows} shown`] : [`${rows.length} row${rows.length === 1 ? '' : 's'}`],
      };
      const observe = ctx.observe ?? 'value';
      if (observe === 'rows') return { observed: rows.length, details, outputs: { rows: rows.length } };
      if (observe.startsWith('column:')) {
        const column = observe.slice('column:'.length);
        if (!columns.includes(column)) return { error: `the statement returns no column "${column}" (columns: ${columns.join(', ') || 'none'})`, details };
        const labelColumn = p.label ?? columns.find((c) => c !== column);
        if (labelColumn !== undefined && !columns.includes(labelColumn)) return { error: `label column "${labelColumn}" is not returned (columns: ${columns.join(', ')})`, details };
        const observed = rows.map((row, i) => ({
          name: labelColumn === undefined ? `row ${i + 1}` : String(printable(row[labelColumn])),
          value: printable(row[column]),
        }));
        const unit = p.unit ?? (rows.some((r) => isInterval(r[column])) ? 'seconds' : undefined);
        return withUnit({ observed, details, outputs: { rows: rows.length } }, unit);
      }
      if (observe !== 'value') return { error: `observe must be value, rows or column:NAME, not "${observe}"` };
      if (columns.length !== 1) return { error: `observe: value needs exactly one column, the statement returns ${columns.length} (${columns.join(', ')}); use observe: column:NAME`, details };
      if (rows.length > 1) return { error: `observe: value needs at most one row, the statement returned ${rows.length}; use observe: rows or column:${columns[0]}`, details };
      const raw = rows[0]?.[columns[0]!];
      const value = rows.length === 0 ? null : printable(raw);
      const unit = p.unit ?? (isInterval(raw) ? 'seconds' : undefined);
      return withUnit({ observed: value, details, outputs: { value, rows: rows.length } }, unit);
    });
  },
});

function withUnit(observation: Observation, unit: 'seconds' | 'bytes' | undefined): Observation {
  return unit ? { ...observation, unit } : observation;
}
