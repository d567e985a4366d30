import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../prometheus/servers.js';
import { acceptsConnections, stopServerProcess } from '../server-process.mjs';
import { TEST_PASSWORD, TEST_ROLE } from '../postgres/server.js';

export const ADMIN_USER = 'rollout_admin';
export const ADMIN_PASSWORD = 'pgb-admin-S3cret';

export interface PgBouncer {
  port: number;
  /** The admin console URL, without the password. */
  adminUrl: string;
  /** The pooled database `app` (the test PostgreSQL's `postgres` database) as the test role. */
  appUrl: string;
  stop(): Promise<void>;
}

/**
 * Debian's pgbouncer on a random loopback port in front of the test PostgreSQL: transaction
 * pooling, one server connection per pool (so a second client waits). PgBouncer refuses to run
 * as root, so as root it runs as `postgres` (runuser), like the PostgreSQL harness.
 */
export async function startPgBouncer(postgresPort: number): Promise<PgBouncer> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-pgbouncer-'));
  const port = await findFreePort();
  await writeFile(join(dir, 'userlist.txt'), `"${ADMIN_USER}" "${ADMIN_PASSWORD}"\n"${TEST_ROLE}" "${TEST_PASSWORD}"\n`);
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `app = host=127.0.0.1 port=${postgresPort} dbname=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = md5',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `admin_users = ${ADMIN_USER}`,
      'pool_mode = transaction',
      'max_client_conn = 57',
      'default_pool_size = 1',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const path of [dir, join(dir, 'userlist.txt'), join(dir, 'pgbouncer.ini')]) chownSync(path, uid, gid);
    chmodSync(dir, 0o700);
  }
  const argv = ['pgbouncer', join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(isRoot ? 'runuser' : argv[0]!, isRoot ? ['-u', 'postgres', '--', ...argv] : argv.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(join(dir, 'pgbouncer.log'), 'utf8');
      } catch {
        // no log yet
      }
      throw new Error(`pgbouncer did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    adminUrl: `postgres://${ADMIN_USER}@127.0.0.1:${port}/pgbouncer`,
    appUrl: `postgres://${TEST_ROLE}:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/app`,
    async stop() {
      await stopServerProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

