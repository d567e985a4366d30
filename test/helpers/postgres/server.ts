import { execFile } from 'node:child_process';
import { appendFile, chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's server binaries; the server refuses to run as root, so we run it as `postgres`. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const TEST_ROLE = 'rollout_test';
export const TEST_PASSWORD = 'hunter2-Secret-pw';

export interface PgServer {
  name: string;
  port: number;
  dataDir: string;
  socketDir: string;
  /** A password-authenticated superuser URL over TCP loopback, database `postgres`. */
  url: string;
}

export interface PgCluster {
  root: string;
  primary: PgServer;
  standby: PgServer;
  /** A separate server for tests that change server-wide state (ALTER SYSTEM, archiving). */
  sandbox: PgServer;
  archiveDir: string;
  /** The sandbox serves TLS with this self-signed certificate (CN localhost, SAN 127.0.0.1). */
  sandboxCaFile: string;
  startMs: number;
}

/** Runs a server binary as the postgres user (execFile: argv, no shell). */
async function asPostgres(argv: string[]): Promise<string> {
  const isRoot = process.getuid?.() === 0;
  const [file, ...args] = isRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
  try {
    const { stdout } = await run(file!, args, { cwd: '/', maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/** A free loopback port: bind to 0, read it, release it. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function chownToPostgres(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  await chown(path, uid, gid);
}

export function urlFor(port: number, database = 'postgres'): string {
  return `postgres://${TEST_ROLE}:${encodeURIComponent(TEST_PASSWORD)}@127.0.0.1:${port}/${database}`;
}

async function psql(server: Pick<PgServer, 'socketDir' | 'port'>, sql: string): Promise<string> {
  return asPostgres([`${PG_BIN}/psql`, '-X', '-h', server.socketDir, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
}

async function makeDirs(root: string, name: string): Promise<{ dataDir: string; socketDir: string }> {
  const socketDir = join(root, `${name}-sock`);
  await mkdir(socketDir);
  await chownToPostgres(socketDir);
  return { dataDir: join(root, name), socketDir };
}

async function startServer(dataDir: string, logFile: string, port: number, socketDir: string, extra: string[] = []): Promise<void> {
  const options = ['-p', String(port), '-k', socketDir, ...extra].join(' ');
  await asPostgres([`${PG_BIN}/pg_ctl`, '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', options, 'start']);
}

async function initServer(root: string, name: string, conf: string[], beforeStart?: (dataDir: string) => Promise<void>): Promise<PgServer> {
  const { dataDir, socketDir } = await makeDirs(root, name);
  const port = await findFreePort();
  await asPostgres([`${PG_BIN}/initdb`, '-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-N']);
  await beforeStart?.(dataDir);
  const settings = [
    "listen_addresses = '127.0.0.1'",
    // Durability is irrelevant for a throwaway server and costs seconds.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    ...conf,
  ];
  await appendFile(join(dataDir, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  await startServer(dataDir, join(root, `${name}.log`), port, socketDir);
  const server = { name, port, dataDir, socketDir, url: urlFor(port) };
  await psql(server, `CREATE ROLE ${TEST_ROLE} LOGIN SUPERUSER PASSWORD '${TEST_PASSWORD}'`);
  return server;
}

/**
 * Starts a primary (WAL archiving into a folder), a streaming standby made with
 * `pg_basebackup -R` through a replication slot, and a sandbox server for server-wide changes.
 */
export async function startCluster(): Promise<PgCluster> {
  const startedAt = performance.now();
  await stopAbandonedClusters();
  const root = await mkdtemp(join(tmpdir(), 'rollout-pg-'));
  await writeFile(join(root, 'owner.pid'), String(process.pid));
  await chmod(root, 0o755);
  await chownToPostgres(root);
  const archiveDir = join(root, 'archive');
  await mkdir(archiveDir);
  await chownToPostgres(archiveDir);
  const [primary, sandbox] = await Promise.all([
    initServer(root, 'primary', ['archive_mode = on', `archive_command = 'cp %p ${archiveDir}/%f'`, "application_name = 'rollout-harness'"]),
    initServer(root, 'sandbox', ['archive_mode = on', "archive_command = 'true'", 'ssl = on'], makeCertificate),
  ]);
  await psql(primary, "SELECT pg_create_physical_replication_slot('standby1')");
  const { dataDir, socketDir } = await makeDirs(root, 'standby');
  const port = await findFreePort();
  await asPostgres([
    `${PG_BIN}/pg_basebackup`,
    '-d', `host=${primary.socketDir} port=${primary.port} user=postgres application_name=standby1`,
    '-D', dataDir, '-R', '-S', 'standby1', '-X', 'stream',
  ]);
  // Report replay positions every second, so lag shows up on the primary quickly.
  await startServer(dataDir, join(root, 'standby.log'), port, socketDir, ['-c', 'archive_mode=off', '-c', 'wal_receiver_status_interval=1s']);
  const standby = { name: 'standby', port, dataDir, socketDir, url: urlFor(port) };
  await waitForStreaming(primary);
  return { root, primary, standby, sandbox, archiveDir, sandboxCaFile: join(sandbox.dataDir, 'server.crt'), startMs: Math.round(performance.now() - startedAt) };
}

/** A throwaway self-signed certificate in the data dir (server.crt/server.key are the defaults). Never committed. */
async function makeCertificate(dataDir: string): Promise<void> {
  await asPostgres([
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dataDir, 'server.key'), '-out', join(dataDir, 'server.crt'),
  ]);
  await asPostgres(['chmod', '600', join(dataDir, 'server.key')]);
}

async function waitForStreaming(primary: PgServer): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const state = await psql(primary, "SELECT state FROM pg_stat_replication WHERE application_name = 'standby1'");
    if (state.trim() === 'streaming') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the standby did not start streaming within 5 s');
}

/** Clusters of test runs that were killed before their teardown: stop them, remove their dirs. */
async function stopAbandonedClusters(): Promise<void> {
  const names = (await readdir(tmpdir())).filter((n) => n.startsWith('rollout-pg-'));
  for (const name of names) {
    const root = join(tmpdir(), name);
    const owner = Number(await readFile(join(root, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    for (const server of ['standby', 'primary', 'sandbox']) {
      await asPostgres([`${PG_BIN}/pg_ctl`, '-D', join(root, server), '-m', 'immediate', '-w', 'stop']).catch(() => {});
    }
    await rm(root, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function stopCluster(cluster: PgCluster): Promise<void> {
  for (const server of [cluster.standby, cluster.primary, cluster.sandbox]) {
    await asPostgres([`${PG_BIN}/pg_ctl`, '-D', server.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  }
  await rm(cluster.root, { recursive: true, force: true });
}

