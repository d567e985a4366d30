import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withConnection } from './client.js';

const params = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a setting name such as shared_buffers or citus.node_conninfo').describe('The setting, as in pg_settings: shared_buffers, log_connections, citus.shard_count'),
});

// pg_settings.unit → the base unit and its factor. PostgreSQL memory units are powers of 1024.
const UNITS: Record<string, { unit: 'bytes' | 'seconds'; factor: number }> = {
  B: { unit: 'bytes', factor: 1 },
  kB: { unit: 'bytes', factor: 1024 },
  '8kB': { unit: 'bytes', factor: 8192 },
  '16kB': { unit: 'bytes', factor: 16384 },
  '32kB': { unit: 'bytes', factor: 32768 },
  MB: { unit: 'bytes', factor: 1024 ** 2 },
  '16MB': { unit: 'bytes', factor: 16 * 1024 ** 2 },
  GB: { unit: 'bytes', factor: 1024 ** 3 },
  TB: { unit: 'bytes', factor: 1024 ** 4 },
  us: { unit: 'seconds', factor: 1e-6 },
  ms: { unit: 'seconds', factor: 1e-3 },
  s: { unit: 'seconds', factor: 1 },
  min: { unit: 'seconds', factor: 60 },
  h: { unit: 'seconds', factor: 3600 },
  d: { unit: 'seconds', factor: 86_400 },
};

export default defineCheck({
  kind: 'postgres.setting',
  summary: "A server setting's current value, memory in bytes and times in seconds",
  description:
    'Reads `pg_settings` (what this session sees, i.e. after `ALTER SYSTEM` + `pg_reload_conf()`). Memory settings are observed in ' +
    'bytes and time settings in seconds, so `expect: ">= 4GB"` or `"== 1000ms"` compare in base units (PostgreSQL\'s kB/MB/GB are ' +
    'powers of 1024: 128MB is 134217728 bytes). Booleans are the strings `on`/`off` (`expect: "== on"`); enums and strings as ' +
    'shown by SHOW; plain numbers as numbers. `-1` (disabled, e.g. log_min_duration_statement) stays -1. A setting that needs a ' +
    'restart to take effect is noted in the evidence. An unknown setting is an error.',
  params,
  observes: 'any',
  mutates: false,
  system: 'postgres',
  outputs: { value: 'the observed value (base units)', display: 'the value as SHOW prints it (e.g. 128MB)', source: 'where it was set (configuration file, default, ...)' },
  examples: [
    '- id: shared-buffers\n  uses: postgres.setting\n  with: { name: shared_buffers }\n  expect: ">= 4GB"',
    '- id: slow-query-log\n  uses: postgres.setting\n  with: { name: log_min_duration_statement }\n  expect: "== 1000ms"',
    '- id: log-connections\n  uses: postgres.setting\n  with: { name: log_connections }\n  expect: "== on"',
    '- id: max-connections\n  uses: postgres.setting\n  with: { name: max_connections }\n  expect: ">= 500"',
  ],
  async run(p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.setting' }, async (client) => {
      const { rows } = await client.query(
        `SELECT name, setting, unit, vartype, source, pending_restart, current_setting(name) AS display
           FROM pg_settings WHERE name = lower($1)`,
        [p.name],
      );
      const row = rows[0] as { setting: string; unit: string | null; vartype: string; source: string; pending_restart: boolean; display: string } | undefined;
      if (!row) {
        // Custom (extension) settings that are set but not registered are visible only to current_setting.
        const custom = await client.query('SELECT current_setting($1, true) AS value', [p.name]);
        const value = custom.rows[0]?.value as string | null | undefined;
        if (value === null || value === undefined) return { error: `unknown setting "${p.name}" (not in pg_settings; is the extension that defines it loaded?)` };
        return { observed: value, details: { notes: [`${p.name} = ${value} (custom setting)`] }, outputs: { value, display: value, source: 'custom' } };
      }
      const notes = [`${p.name} = ${row.display} (source: ${row.source})`];
      if (row.pending_restart) notes.push('changed in the configuration file but needs a restart to take effect');
      const outputs = { display: row.display, source: row.source };
      if (row.vartype === 'bool' || row.vartype === 'enum' || row.vartype === 'string') {
        return { observed: row.setting, details: { notes }, outputs: { ...outputs, value: row.setting } };
      }
      const number = Number(row.setting);
      const scale = row.unit ? UNITS[row.unit] : undefined;
      if (!scale || number === -1) return { observed: number, details: { notes }, outputs: { ...outputs, value: number } };
      // Divide for sub-second units: 300 / 1000 is exactly 0.3, 300 * 0.001 may not be.
      const value = scale.factor >= 1 ? number * scale.factor : number / Math.round(1 / scale.factor);
      return { observed: value, unit: scale.unit, details: { notes }, outputs: { ...outputs, value } };
    });
  },
});
