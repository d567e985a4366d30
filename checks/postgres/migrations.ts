import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withConnection } from './client.js';
import { quoteName } from './values.js';

const params = z
  .strictObject({
    table: z.string().min(1).default('schema_migrations').describe('The table recording applied migrations, optionally schema-qualified'),
    column: z.string().min(1).default('version').describe('Its column holding the migration id'),
    directory: z.string().min(1).optional().describe('Folder of migration files (relative to the playbook): every id in it must be applied'),
    pattern: z.string().default('^V?(\\d+)').describe('Regex on file names; group 1 (or the whole match) is the id'),
    expected: z.union([z.string(), z.number()]).transform(String).optional().describe('The id that must be the newest applied'),
  })
  .refine((p) => p.directory !== undefined || p.expected !== undefined, { message: 'give directory (migration files) or expected (an id), or both' });

/** Natural order: "9" < "10", "20240101_a" < "20240102_b", "1.2" < "1.10". */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export default defineCheck({
  kind: 'postgres.migrations',
  summary: 'The newest applied migration equals the newest file in a folder (or an expected id); lists pending ones',
  description:
    'Reads the ids in `table`.`column` (e.g. golang-migrate/Rails `schema_migrations.version`, Flyway ' +
    '`flyway_schema_history.version`) and compares, in natural order, with the ids of the files in `directory` (by `pattern`, ' +
    'group 1) and/or `expected`. Fails listing every file not applied, a newest applied id other than expected, or an applied id ' +
    'newer than any file (a newer release ran against this database). A missing table fails: no migration has run there.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'postgres',
  outputs: { applied: 'the newest applied id', pending: 'ids in the folder not applied', newestFile: 'the newest id in the folder' },
  examples: [
    '- id: migrations-applied\n  uses: postgres.migrations\n  with: { table: schema_migrations, column: version, directory: ../db/migrations }',
    '- id: flyway-applied\n  uses: postgres.migrations\n  with: { table: flyway_schema_history, column: version, expected: "${vars.schemaVersion}" }',
  ],
  async run(p, ctx) {
    let fileIds: string[] = [];
    if (p.directory) {
      const dir = isAbsolute(p.directory) ? p.directory : join(ctx.cwd, p.directory);
      let regex: RegExp;
      try {
        regex = new RegExp(p.pattern);
      } catch (error) {
        return { error: `pattern is not a valid regex: ${(error as Error).message}` };
      }
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        return { error: `cannot read migrations directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
      }
      const ids = names.map((name) => regex.exec(name)).filter((m): m is RegExpExecArray => m !== null).map((m) => m[1] ?? m[0]);
      fileIds = [...new Set(ids)].sort(compareIds);
      if (fileIds.length === 0) return { error: `no file in ${dir} matches pattern ${p.pattern}` };
    }
    return withConnection(ctx, { readOnly: true, kind: 'postgres.migrations' }, async (client) => {
      const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS found, current_database() AS db', [quoteName(p.table)]);
      const { found, db } = exists.rows[0] as { found: boolean; db: string };
      if (!found) return { status: 'fail' as const, reasons: [`migration table ${p.table} does not exist in database ${db}: no migration has run here`], outputs: { applied: null, pending: fileIds, newestFile: fileIds.at(-1) ?? null } };
      const { rows } = await client.query(`SELECT DISTINCT ${quoteName(p.column)}::text AS id FROM ${quoteName(p.table)} WHERE ${quoteName(p.column)} IS NOT NULL`);
      const applied = (rows as Array<{ id: string }>).map((r) => r.id).sort(compareIds);
      const appliedSet = new Set(applied);
      const newestApplied = applied.at(-1) ?? null;
      const newestFile = fileIds.at(-1) ?? null;
      const pending = fileIds.filter((id) => !appliedSet.has(id));
      const reasons: string[] = [];
      if (pending.length > 0) reasons.push(`${pending.length} migration(s) not applied: ${pending.join(', ')}`);
      if (newestFile !== null && newestApplied !== null && compareIds(newestApplied, newestFile) > 0) {
        reasons.push(`newest applied migration ${newestApplied} is newer than any file in the folder (newest ${newestFile}): a newer release migrated this database`);
      }
      if (p.expected !== undefined && newestApplied !== p.expected) {
        reasons.push(`newest applied migration is ${newestApplied ?? 'none'}, expected ${p.expected}`);
      }
      const outputs = { applied: newestApplied, pending, newestFile };
      const notes = [`${applied.length} applied in ${db}.${p.table}, newest ${newestApplied ?? 'none'}`, ...(p.directory ? [`${fileIds.length} in the folder, newest ${newestFile}`] : [])];
      if (reasons.length > 0) return { status: 'fail' as const, reasons, details: { notes }, outputs };
      return { status: 'pass' as const, reasons: [`newest applied migration ${newestApplied} is current`], details: { notes }, outputs };
    });
  },
});
