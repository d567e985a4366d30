import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  process: ChildProcess;
  logFile: string;
}

/** A port the kernel just handed out on loopback; the server binds it right after. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `url` until it answers 200, or fails with the server's log after `timeoutMs`. */
export async function waitUntilReady(url: string, server: { process: ChildProcess; logFile: string }, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${readFileSync(server.logFile, 'utf8').slice(-2000)}`);
}

function startProcess(argv: string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log] });
  closeSync(log);
  return child;
}

/** Debian's Prometheus on a random loopback port, with the given config and data dir. */
export async function startPrometheus(options: { dir: string; configFile: string; dataDir: string; name: string }): Promise<RunningServer> {
  const port = await findFreePort();
  const logFile = join(options.dir, `${options.name}.log`);
  const child = startProcess(
    [
      'prometheus',
      `--config.file=${options.configFile}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Retention counts back from the newest block: the fixture data lies months in the past.
      '--storage.tsdb.retention.time=3650d',
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    logFile,
  );
  const server = { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, process: child, logFile };
  await waitUntilReady(`${server.url}/-/ready`, server);
  return server;
}

/** Debian's Alertmanager, clustering off, on a random loopback port. */
export async function startAlertmanager(options: { dir: string; configFile: string }): Promise<RunningServer> {
  const port = await findFreePort();
  const logFile = join(options.dir, 'alertmanager.log');
  const child = startProcess(
    [
      'prometheus-alertmanager',
      `--config.file=${options.configFile}`,
      `--storage.path=${join(options.dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    logFile,
  );
  const server = { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, process: child, logFile };
  await waitUntilReady(`${server.url}/-/ready`, server);
  return server;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Only our own child, by pid. */
export async function stopServer(server: RunningServer | undefined, graceMs = 5000): Promise<void> {
  if (!server || server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Debian's Pushgateway on a random loopback port (metrics kept in memory). */
export async function startPushgateway(options: { dir: string }): Promise<RunningServer> {
  const port = await findFreePort();
  const logFile = join(options.dir, 'pushgateway.log');
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default, which every
  // gateway would share across runs: keep each one's state in its own temp dir.
  const child = startProcess(['prometheus-pushgateway', `--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(options.dir, 'pushgateway.data')}`, '--log.level=warn'], logFile);
  const server = { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, process: child, logFile };
  await waitUntilReady(`${server.url}/-/ready`, server);
  return server;
}
