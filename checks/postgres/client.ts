import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { formatDuration, parseDuration, type CheckContext, type EvaluationError } from '../../src/sdk/index.js';

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

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. Only the password goes. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}

/** A bare `%` in a typed password means itself (decodeURIComponent would throw on it). */
function decodePercent(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function readSettings(settings: Record<string, unknown>) {
  const text = (key: string) => (typeof settings[key] === 'string' ? (settings[key] as string) : undefined);
  const raw = settings.connectTimeout;
  const connectTimeoutMs = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDuration(raw) : undefined;
  return {
    url: text('url') ?? '',
    sslmode: text('sslmode'),
    sslrootcert: text('sslrootcert'),
    connectTimeoutMs: connectTimeoutMs ?? 10_000,
    poolSize: typeof settings.poolSize === 'number' ? settings.poolSize : 4,
    applicationName: text('applicationName') ?? 'rollout',
  };
}

/** libpq's sslmode meanings, applied explicitly (pg's own parsing of sslmode differs). */
function sslOption(mode: string | undefined, rootcert: string | undefined): pg.PoolConfig['ssl'] | string {
  const ca = rootcert ? readFileSync(rootcert, 'utf8') : undefined;
  switch (mode) {
    case undefined:
    case 'disable':
      return false;
    case 'require':
      return ca ? { ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case 'verify-ca':
      if (!ca) return 'sslmode verify-ca needs sslrootcert (the CA certificate file)';
      return { ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return ca ? { ca } : { rejectUnauthorized: true };
    default:
      return `sslmode ${mode} is not supported; use disable, require, verify-ca or verify-full`;
  }
}

function buildConfig(settings: Record<string, unknown>): { config: pg.PoolConfig; label: string; password?: string } | EvaluationError {
  const s = readSettings(settings);
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    return { error: `postgres url is not a URL: ${maskUrl(s.url)} (expected postgres://user:password@host:5432/database)` };
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return { error: `postgres url must start with postgres:// or postgresql://, got ${maskUrl(s.url)}` };
  }
  // sslmode/sslrootcert in the URL are applied by us, the setting winning over the URL.
  const mode = s.sslmode ?? url.searchParams.get('sslmode') ?? undefined;
  const rootcert = s.sslrootcert ?? url.searchParams.get('sslrootcert') ?? undefined;
  url.searchParams.delete('sslmode');
  url.searchParams.delete('sslrootcert');
  let ssl: ReturnType<typeof sslOption>;
  try {
    ssl = sslOption(mode, rootcert);
  } catch (error) {
    return { error: `cannot read sslrootcert ${rootcert}: ${(error as Error).message}` };
  }
  if (typeof ssl === 'string') return { error: ssl };
  const password = url.password ? decodePercent(url.password) : undefined;
  // The driver decodes the password strictly: hand it one that is encoded exactly once.
  if (password !== undefined) url.password = encodeURIComponent(password);
  return {
    label: maskUrl(url.toString()),
    password,
    config: {
      connectionString: url.toString(),
      ssl,
      max: s.poolSize,
      connectionTimeoutMillis: s.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: s.applicationName,
    },
  };
}

/** The run's pool for the node's connection: one per connection per run, closed by the core. */
async function connectionFor(ctx: CheckContext): Promise<Connection | EvaluationError> {
  const info = ctx.connection('postgres');
  if (!info) return { error: 'no postgres connection: add `postgres: { url: ... }` to the environment' };
  const built = buildConfig(info.settings);
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

/** Quotes an identifier, keeping `schema.table` as two parts. */
export function quoteName(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** Rows for the evidence: at most `max`, values made printable. */
export function evidenceRows(rows: Array<Record<string, unknown>>, max: number): Array<Record<string, unknown>> {
  return rows.slice(0, max).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, printable(v)])));
}

/** A driver value as something `expect` can compare: numbers, strings, booleans. */
export function printable(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (isInterval(value)) return intervalSeconds(value);
  return JSON.stringify(value);
}

interface IntervalLike {
  toPostgres(): string;
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

export function isInterval(value: unknown): value is IntervalLike {
  return typeof value === 'object' && value !== null && typeof (value as IntervalLike).toPostgres === 'function' && 'toISO' in value;
}

/** An interval in seconds (months as 30 days, as PostgreSQL's own EXTRACT(EPOCH) does). */
export function intervalSeconds(i: IntervalLike): number {
  const days = (i.years ?? 0) * 365.25 + (i.months ?? 0) * 30 + (i.days ?? 0);
  return days * 86_400 + (i.hours ?? 0) * 3600 + (i.minutes ?? 0) * 60 + (i.seconds ?? 0) + (i.milliseconds ?? 0) / 1000;
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
