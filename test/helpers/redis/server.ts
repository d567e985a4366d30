import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../prometheus/servers.js';
import { acceptsConnections, stopServerProcess } from '../server-process.mjs';

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian's redis-server on a random loopback port, nothing persisted, with `args` appended
 * (`--requirepass`, `--replicaof`, `--maxmemory`). Stops only its own process, by pid.
 */
export async function startRedis(args: string[] = []): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-redis-'));
  const port = await findFreePort();
  const logFile = join(dir, 'redis.log');
  const log = openSync(logFile, 'a');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: ['ignore', log, log] });
  closeSync(log);
  const deadline = Date.now() + 10_000;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${await readFile(logFile, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      await stopServerProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

