import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withConnection } from './client.js';

export default defineCheck({
  kind: 'postgres.extension',
  summary: "An extension's installed version in the connection's database; not installed fails",
  description:
    'Observes `pg_extension.extversion` of `name` in the database the connection points at, compared as a version ' +
    '(`expect: ">= 0.5.0"`). Without `expect` it passes when the extension is installed at all. Not installed is a `fail` whose ' +
    'reason says whether the server could install it (`CREATE EXTENSION`) or the package is missing. Extensions that must be ' +
    'preloaded (citus, pg_stat_statements) are also checked against `shared_preload_libraries` when `preload: true`.',
  params: z.strictObject({
    name: z.string().min(1, 'the extension name, e.g. vector, citus, pg_stat_statements').describe('The extension name: vector, citus, pg_stat_statements'),
    preload: z.boolean().default(false).describe('Also require it in shared_preload_libraries'),
  }),
  observes: 'version',
  defaultExpect: '=~ /./',
  mutates: false,
  system: 'postgres',
  outputs: { version: 'the installed version', schema: 'the schema it lives in' },
  examples: [
    '- id: pgvector\n  uses: postgres.extension\n  with: { name: vector }\n  expect: ">= 0.5.0"',
    '- id: citus\n  uses: postgres.extension\n  with: { name: citus, preload: true }',
  ],
  async run(p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.extension' }, async (client) => {
      const { rows } = await client.query(
        `SELECT e.extversion AS installed, n.nspname AS schema, a.default_version AS available, current_database() AS db,
                current_setting('shared_preload_libraries') AS preload
           FROM (SELECT $1::text AS name) q
           LEFT JOIN pg_extension e ON e.extname = q.name
           LEFT JOIN pg_namespace n ON n.oid = e.extnamespace
           LEFT JOIN pg_available_extensions a ON a.name = q.name`,
        [p.name],
      );
      const row = rows[0] as { installed: string | null; schema: string | null; available: string | null; db: string; preload: string };
      if (row.installed === null) {
        const reason = row.available
          ? `extension ${p.name} is not installed in database ${row.db} (version ${row.available} is available: CREATE EXTENSION ${p.name})`
          : `extension ${p.name} is not installed in database ${row.db} and is not available on the server (its package is missing)`;
        return { status: 'fail', reasons: [reason] };
      }
      const preloaded = row.preload.split(',').map((s) => s.trim()).filter(Boolean);
      if (p.preload && !preloaded.includes(p.name)) {
        return { status: 'fail', reasons: [`extension ${p.name} ${row.installed} is installed but not in shared_preload_libraries (${row.preload || 'empty'}); add it and restart`] };
      }
      return {
        observed: row.installed,
        details: { notes: [`${p.name} ${row.installed} in schema ${row.schema} of ${row.db}${row.available && row.available !== row.installed ? ` (${row.available} available: ALTER EXTENSION ${p.name} UPDATE)` : ''}`] },
        outputs: { version: row.installed, schema: row.schema },
      };
    });
  },
});
