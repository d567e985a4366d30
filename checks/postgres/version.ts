import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withConnection } from './client.js';

export default defineCheck({
  kind: 'postgres.version',
  summary: "The server's PostgreSQL version (e.g. 15.10), compared as a version",
  description:
    'Observes `server_version` without its distribution suffix ("15.10 (Debian 15.10-0+deb12u1)" → `15.10`), so ' +
    '`expect: ">= 15"` compares as versions. Also a cheap "can we reach and log in" gate.',
  params: z.strictObject({}),
  observes: 'version',
  mutates: false,
  system: 'postgres',
  outputs: { version: 'e.g. 15.10', versionNum: 'server_version_num, e.g. 150010', full: 'the text of version()' },
  examples: ['- id: pg15\n  uses: postgres.version\n  expect: ">= 15"'],
  async run(_p, ctx) {
    return withConnection(ctx, { readOnly: true, kind: 'postgres.version' }, async (client) => {
      const { rows } = await client.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS num, version() AS full");
      const row = rows[0] as { v: string; num: number; full: string };
      const version = /^\d+(?:\.\d+)*/.exec(row.v)?.[0] ?? row.v;
      return { observed: version, details: { notes: [row.full] }, outputs: { version, versionNum: row.num, full: row.full } };
    });
  },
});
