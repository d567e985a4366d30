import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createCheckContext, type TestContextOptions } from '../check-context.js';
import { urlFor, type PgServer } from './server.js';

export function cluster() {
  return inject('postgres');
}

/** Runs SQL on a server as the test superuser (a short-lived client, autocommit). */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A fresh database on the primary for one test; its URL reaches the standby too once replayed. */
export async function createDatabase(prefix = 't', server: PgServer = cluster().primary): Promise<{ name: string; url: string; urlOn(server: PgServer): string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await sql(server.url, `CREATE DATABASE ${name}`);
  return { name, url: urlFor(server.port, name), urlOn: (other) => urlFor(other.port, name) };
}

/** Calls a kind's run() the way the runner does, closing pools afterwards. */
export async function runKind<P>(
  definition: { params: { parse(input: unknown): P }; run(p: P, ctx: ReturnType<typeof createCheckContext>): Promise<unknown> },
  input: unknown,
  options: TestContextOptions & { url?: string } = {},
): Promise<any> {
  const { url, ...rest } = options;
  const ctx = createCheckContext({ ...rest, connections: rest.connections ?? (url ? { postgres: { url } } : {}) });
  try {
    return await definition.run(definition.params.parse(input), ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * Runs `work` while no other test file holds `name` (a directory lock in the harness's temp
 * dir): pausing the standby's replay must not meet a playbook that gates on replication lag.
 */
export async function withExclusive<T>(name: string, work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const { mkdir, rmdir } = await import('node:fs/promises');
  const lock = `${cluster().root}/lock-${name}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`lock ${name} still held after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock);
  }
}
