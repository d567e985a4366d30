import { z } from 'zod';
import { defineSystem, duration } from '../../src/sdk/index.js';

/** One PostgreSQL connection of an environment (`postgres:` or each of `postgres: { primary: ..., standby: ... }`). */
export const settings = z.strictObject({
  url: z.string().min(1, 'url is required, e.g. "${secret:DATABASE_URL}" holding postgres://user:password@host:5432/db'),
  sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
  /** CA certificate file (PEM) for verify-ca / verify-full. */
  sslrootcert: z.string().optional(),
  connectTimeout: duration.optional(),
  /** Connections this run may open to this server at once. */
  poolSize: z.number().int().min(1).max(50).optional(),
  applicationName: z.string().optional(),
});

export type PostgresSettings = z.output<typeof settings>;

export default defineSystem({
  name: 'postgres',
  summary: 'A PostgreSQL server reached with the pg driver: url (usually ${secret:...}), sslmode, sslrootcert, connectTimeout, poolSize',
  settings,
});
