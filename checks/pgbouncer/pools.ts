import { z } from 'zod';
import { defineCheck, maskUrl, type CheckContext } from '../../src/sdk/index.js';

const params = z.strictObject({
  url: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^/]/, 'expected postgres://user@host:6432/pgbouncer')
    .describe('The admin console: postgres://user[:password]@host:port/pgbouncer (a password here is masked; prefer `password`).'),
  password: z.string().optional().describe('The admin user\'s password, e.g. "${secret:PGBOUNCER_PASSWORD}"; never in the evidence.'),
  database: z.string().optional().describe('Only pools of this database (SHOW POOLS rows) count for clientsWaiting.'),
});

type Params = z.output<typeof params>;

const OBSERVES = ['clientsWaiting', 'poolMode', 'maxClientConn'] as const;

export default defineCheck({
  kind: 'pgbouncer.pools',
  summary: "PgBouncer's admin console: clients waiting, pool mode, max client connections",
  description:
    "Connects to PgBouncer's admin console (the `pgbouncer` database) and runs `SHOW POOLS` and `SHOW CONFIG`. " +
    'Probes the service itself: a refused connection is `fail`; a refused login or a user that is not an admin/stats user is `error`.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'clientsWaiting',
    patterns: OBSERVES.map((name) => new RegExp(`^${name}$`)),
    help: ['clientsWaiting (default; cl_waiting summed over the pools)', 'poolMode (session, transaction or statement)', 'maxClientConn (max_client_conn)'],
  },
  defaultExpect: (observe) => ((observe ?? 'clientsWaiting') === 'clientsWaiting' ? '== 0' : undefined),
  mutates: false,
  outputs: { poolMode: 'pool_mode', maxClientConn: 'max_client_conn', clientsWaiting: 'cl_waiting over the pools' },
  examples: [
    '- id: pooling-transaction-mode\n  uses: pgbouncer.pools\n  with: { url: "postgres://stats@pgbouncer:6432/pgbouncer", password: "${secret:PGBOUNCER_PASSWORD}" }\n  observe: poolMode\n  expect: "== transaction"',
  ],
  async run(p, ctx) {
    const display = maskUrl(p.url);
    const rows = await readConsole(p, ctx);
    if ('down' in rows) return { status: 'fail', reasons: [`${display}: ${rows.down}`] };
    if ('error' in rows) return { error: `${display}: ${rows.error}` };
    const config = Object.fromEntries(rows.config.map((row) => [String(row.key), String(row.value)]));
    const pools = rows.pools.filter((row) => row.database !== 'pgbouncer' && (p.database === undefined || row.database === p.database));
    const clientsWaiting = pools.reduce((sum, row) => sum + Number(row.cl_waiting ?? 0), 0);
    const outputs = { poolMode: config.pool_mode, maxClientConn: Number(config.max_client_conn), clientsWaiting };
    const notes = [`pool_mode ${config.pool_mode}, max_client_conn ${config.max_client_conn}, ${pools.length} pool(s), ${clientsWaiting} client(s) waiting`];
    const table = pools.map((row) => ({ database: row.database, user: row.user, cl_active: row.cl_active, cl_waiting: row.cl_waiting, sv_active: row.sv_active, sv_idle: row.sv_idle, pool_mode: row.pool_mode }));
    const details = { notes, ...(table.length ? { rows: table } : {}) };
    switch (ctx.observe ?? 'clientsWaiting') {
      case 'poolMode':
        return { observed: config.pool_mode ?? null, details, outputs };
      case 'maxClientConn':
        return { observed: config.max_client_conn === undefined ? null : Number(config.max_client_conn), details, outputs };
      default:
        if (p.database !== undefined && pools.length === 0) return { observed: null, details: { notes: [...notes, `no pool for database ${p.database}`] }, outputs };
        return { observed: clientsWaiting, details, outputs };
    }
  },
});

type Row = Record<string, unknown>;

async function readConsole(p: Params, ctx: CheckContext): Promise<{ pools: Row[]; config: Row[] } | { down: string } | { error: string }> {
  const { default: pg } = await import('pg');
  // The admin console speaks only the simple query protocol: plain query text, no parameters.
  // Fields, not connectionString: pg lets the string's (absent) password override `password`.
  const url = new URL(p.url);
  const client = new pg.Client({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 6432),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.slice(1)) || 'pgbouncer',
    password: p.password ?? (url.password ? decodeURIComponent(url.password) : undefined),
    connectionTimeoutMillis: Math.min(5000, ctx.timeoutMs),
  });
  client.on('error', () => undefined);
  const onAbort = (): void => void client.end().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await client.connect();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET'].includes(code)) return { down: code };
      // PgBouncer's login errors name the user, not the password.
      return { error: `cannot log in to the admin console: ${(error as Error).message}` };
    }
    const pools = await client.query('SHOW POOLS');
    const config = await client.query('SHOW CONFIG');
    return { pools: pools.rows, config: config.rows };
  } catch (error) {
    return { error: ctx.signal.aborted ? `no answer within ${ctx.timeoutMs}ms` : (error as Error).message };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}
