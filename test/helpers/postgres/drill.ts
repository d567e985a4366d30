import { fileURLToPath } from 'node:url';
import { runProcess } from '../../../src/sdk/index.js';
import { PG_BIN, TEST_PASSWORD, TEST_ROLE } from './server.js';

export const BACKUP_FIXTURES = fileURLToPath(new URL('../../../fixtures/backup/', import.meta.url));

/** libpq environment for the drill scripts: the password travels in PGPASSWORD, never in argv. */
export function drillEnv(port: number, database: string, backupDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PGHOST: '127.0.0.1',
    PGPORT: String(port),
    PGUSER: TEST_ROLE,
    PGPASSWORD: TEST_PASSWORD,
    PGDATABASE: database,
    BACKUP_DIR: backupDir,
    PG_BIN,
  };
}

export async function runScript(script: string, args: string[], env: Record<string, string>) {
  return runProcess([`${BACKUP_FIXTURES}${script}`, ...args], { env });
}
