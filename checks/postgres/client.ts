import type pg from 'pg';
import { formatDuration, type CheckContext, type EvaluationError } from '../../src/sdk/index.js';
import { buildConfig } from './config.js';
import postgresSystem from './system.js';

/** The part of a pg client a kind uses. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

interface Connection {
  pool: pg.Pool;
  config: pg.PoolConfig;
  /** Where we connect, for messages: the password masked, the host kept. */
  label: string;
  password: string | undefined;
}

/** The run's pool for the node's connection: one per connection per run, closed by the core. */
async function connectionFor(ctx: CheckContext): Promise<Connection | EvaluationError> {
  const info = postgresSystem.connectionOf(ctx);
  if ('error' in info) return info;
  const built = await buildConfig(info.settings, ctx.cwd);
  if ('error' in built) return built;
  const label = info.name === 'default' ? built.label : `${info.name} (${built.label})`;
  const key = `postgres:${info.name}:${JSON.stringify(info.settings)}`;
  const pool = await ctx.shared(
    key,
    async () => {
      const { default: pgModule } = await import('pg');
      const created = new pgModule.Pool(built.config);
      // An idle connection dropped by the server must not crash the run.
      created.on('error', () => {});
      return created;
    },
    // A connection attempt to a hung server holds end() until connectTimeout: do not let it hold the run.
    (p) => Promise.race([p.end(), new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]),
  );
  return { pool, config: built.config, label, password: built.password };
}

function abortReason(ctx: CheckContext): string {
  const reason = ctx.signal.reason as unknown;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return /timeout/i.test(text) || !text ? `the node's timeout (${formatDuration(ctx.timeoutMs)}) ran out` : text;
}

/** Turns a driver or server error into a message a user can act on, never showing the password. */
export function describeError(error: unknown, conn: Pick<Connection, 'label' | 'password'>, ctx: CheckContext, kind: string): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  let text: string;
  switch (e.code) {
    case '28P01':
      text = `${message} on ${conn.label}: check the password in the connection url`;
      break;
    case '57014':
      text = ctx.signal.aborted
        ? `query cancelled: ${abortReason(ctx)} (${conn.label})`
        : /statement timeout/.test(message)
          ? `query timed out: statement_timeout of the node's timeout (${formatDuration(ctx.timeoutMs)}) on ${conn.label}`
          : `${message} on ${conn.label}`;
      break;
    case '25006':
      text = `${kind} runs read-only and the statement tried to write (${message}); make changes with postgres.exec in steps:`;
      break;
    case 'ECONNREFUSED':
      text = `cannot connect to ${conn.label}: connection refused (is the server running and listening there?)`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      text = `cannot connect to ${conn.label}: host not found`;
      break;
    default:
      text = /timeout expired|Connection terminated due to connection timeout/i.test(message)
        ? `cannot connect to ${conn.label}: connection timed out`
        : `${message} (${conn.label})`;
  }
  return scrub(text, conn.password);
}

function scrub(text: string, password: string | undefined): string {
  if (!password) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***');
  return out;
}

/** Resolves with the promise, or with `aborted` when the signal fires first. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
const ABORTED = Symbol('aborted');

interface SessionOptions {
  /** Wrap in BEGIN READ ONLY ... ROLLBACK, with SET LOCAL statement_timeout. */
  readOnly: boolean;
  kind: string;
}

/**
 * Runs `work` on one pooled connection, bounded by the node's timeout both on the server
 * (statement_timeout) and here (ctx.signal cancels the running query with pg_cancel_backend).
 * Every failure comes back as `{ error }`.
 */
export async function withConnection<T>(
  ctx: CheckContext,
  options: SessionOptions,
  work: (client: Queryable, conn: { label: string }) => Promise<T>,
): Promise<T | EvaluationError> {
  const startedAt = Date.now();
  const conn = await connectionFor(ctx);
  if ('error' in conn) return conn;
  let client: pg.PoolClient | undefined;
  let destroy = false;
  const cancel = () => {
    destroy = true;
    const pid = (client as unknown as { processID?: number } | undefined)?.processID;
    if (pid) void cancelBackend(conn.config, pid);
  };
  try {
    const connecting = conn.pool.connect();
    const got = await raceAbort(connecting, ctx.signal);
    if (got === ABORTED) {
      connecting.then((c) => c.release(true), () => {});
      return { error: `cannot connect to ${conn.label} in time: ${abortReason(ctx)}` };
    }
    client = got;
    // The evidence says which server was checked; the core redacts secrets, so only the password is masked here.
    ctx.log(`${options.kind} on ${conn.label}${options.readOnly ? ' (read-only transaction)' : ''}`);
    ctx.signal.addEventListener('abort', cancel, { once: true });
    // The server stops the statement a little before the node's own timer fires.
    const remainingMs = ctx.timeoutMs - (Date.now() - startedAt);
    const statementTimeoutMs = Math.max(1, Math.floor(remainingMs - Math.min(200, remainingMs / 10)));
    if (options.readOnly) {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${statementTimeoutMs}`);
      // The extended protocol takes one statement: "COMMIT; INSERT ..." cannot escape READ ONLY.
      const session = client;
      const oneStatement: Queryable = {
        query: (text, values) => session.query({ text, values: values ?? [], queryMode: 'extended' } as pg.QueryConfig),
      };
      try {
        return await work(oneStatement, conn);
      } finally {
        await client.query('ROLLBACK').catch(() => (destroy = true));
      }
    }
    // Statements that change things may also change the session (SET ROLE, SET ...): this
    // connection is closed afterwards instead of going back to the pool.
    destroy = true;
    await client.query(`SET statement_timeout = ${statementTimeoutMs}`);
    return await work(client, conn);
  } catch (error) {
    destroy = true;
    return { error: describeError(error, conn, ctx, options.kind) };
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
    client?.release(destroy);
  }
}

/** Cancels a running statement from a second, short-lived connection (the pool may be full). */
async function cancelBackend(config: pg.PoolConfig, pid: number): Promise<void> {
  const { default: pgModule } = await import('pg');
  const canceller = new pgModule.Client({ ...config, connectionTimeoutMillis: 5000 });
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The statement_timeout set on the session still stops it.
  } finally {
    await canceller.end().catch(() => {});
  }
}

/** For `rollback --dry-run`: does the server answer, and in what state is it (without changing anything)? */
export async function probeServer(ctx: CheckContext, kind: string): Promise<{ ok: boolean; message: string }> {
  const result = await withConnection(ctx, { readOnly: true, kind }, async (client, conn) => {
    const { rows } = await client.query(
      "SELECT current_user AS who, current_setting('server_version') AS v, pg_is_in_recovery() AS standby, current_setting('default_transaction_read_only') AS ro",
    );
    const row = rows[0] as { who: string; v: string; standby: boolean; ro: string };
    const state = row.standby ? ', a standby (read-only)' : row.ro === 'on' ? ', default_transaction_read_only = on' : '';
    return { ok: true, message: `${conn.label} answers: PostgreSQL ${row.v} as ${row.who}${state}` };
  });
  return 'error' in result ? { ok: false, message: result.error } : result;
}
