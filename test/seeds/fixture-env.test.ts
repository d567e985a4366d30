import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureEnv, type FixtureEnv } from '../../scripts/fixture-env.mjs';
import { freePort } from '../../fixtures/seeds/postgres.mjs';
import { onFreePort } from '../../fixtures/seeds/start.mjs';
import { runProcess } from '../../src/sdk/index.js';

// scripts/fixture-env.mjs on a busy machine: ports picked for PostgreSQL and Prometheus can
// be taken before they bind, servers can be slow to become ready, and a service that cannot
// start must be named — not an uncaught Node error.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('fixture environment start-up', () => {
  it('a port taken between picking and binding: the start is retried on another port', async () => {
    const taken = await listen(0);
    const takenPort = (taken.address() as { port: number }).port;
    const picked: number[] = [];
    try {
      const server = await onFreePort(async (port: number) => listen(port), {
        pickPort: async () => {
          const port = picked.length === 0 ? takenPort : await freePort();
          picked.push(port);
          return port;
        },
      });
      const boundPort = (server.address() as { port: number }).port;
      server.close();
      expect(picked[0]).toBe(takenPort);
      expect(boundPort).toBe(picked[1]);
      expect(boundPort).not.toBe(takenPort);
    } finally {
      taken.close();
    }
  });

  it('a port that stays taken, or another failure, is not retried for ever', async () => {
    let attempts = 0;
    await expect(onFreePort(async () => {
      attempts++;
      throw new Error('listen EADDRINUSE: address already in use');
    }, { attempts: 3 })).rejects.toThrow(/EADDRINUSE/);
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(onFreePort(async () => {
      attempts++;
      throw new Error('initdb: permission denied');
    })).rejects.toThrow(/permission denied/);
    expect(attempts).toBe(1);
  });

  it('a service that cannot start is named with its reason, nothing is left behind, exit 1 without a stack trace', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rollout-fixture-tmp-'));
    folders.push(tmp);
    const result = await runProcess([process.execPath, join(ROOT, 'scripts/fixture-env.mjs'), '--', 'true'], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp, PG_BIN: '/nonexistent/postgresql/bin' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^fixture environment: PostgreSQL \(primary and standbys\) did not start: .*\/nonexistent\/postgresql\/bin\/initdb/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // The servers that did start (Kubernetes API, Prometheus, the HTTP service) were stopped and their folders removed.
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);

  it('several environments start concurrently, each on its own ports', async () => {
    // Two at once race for ports as three would, at two thirds of the machine time.
    const started = await Promise.allSettled([0, 1].map(() => startFixtureEnv()));
    const envs = started.filter((r): r is PromiseFulfilledResult<FixtureEnv> => r.status === 'fulfilled').map((r) => r.value);
    try {
      expect(started.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const ports = envs.flatMap((f) => [f.env.PROM_URL, f.env.PGPORT, f.env.SEEDS_HTTP_URL, f.env.DATABASE_STANDBY_URL].map((v) => /:(\d+)/.exec(v!)?.[1] ?? v));
      expect(new Set(ports).size).toBe(ports.length);
      for (const f of envs) expect((await f.sql('SELECT 1')).trim()).toBe('1');
    } finally {
      await Promise.all(envs.map((f) => f.stop()));
    }
  }, 240_000);
});
