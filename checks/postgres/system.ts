import { z } from 'zod';
import { defineSystem, duration } from '../../src/sdk/index.js';

/** One PostgreSQL connection of an environment (`postgres:` or each of `postgres: { primary: ..., standby: ... }`). */
export const settings = z.strictObject({
  url: z.string().min(1, 'url is required, e.g. "${secret:DATABASE_URL}" holding postgres://user:password@host:5432/db').describe('postgres://user:password@host:5432/db, usually ${secret:NAME}; only the password is masked in messages'),
  sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional().describe('libpq meanings; wins over ?sslmode= in the url (default: no TLS)'),
  sslrootcert: z.string().optional().describe('CA certificate file (PEM, relative to the playbook) for verify-ca / verify-full'),
  connectTimeout: duration.default(10_000).describe('Bound on opening a connection (default 10s)'),
  poolSize: z.number().int().min(1).max(50).default(4).describe('Connections this run may open to this server at once (default 4)'),
  applicationName: z.string().default('rollout').describe('application_name shown in pg_stat_activity (default rollout)'),
});

export type PostgresSettings = z.output<typeof settings>;

export default defineSystem({
  name: 'postgres',
  summary: 'A PostgreSQL server reached with the pg driver: url (usually ${secret:...}), sslmode, sslrootcert, connectTimeout, poolSize',
  settings,
  missingHint: 'add `postgres: { url: ... }` to the environment',
});
