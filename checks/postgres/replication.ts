import { z } from 'zod';
import { defineCheck, type CheckResult, type LabelledValue } from '../../src/sdk/index.js';
import { withConnection, type Queryable } from './client.js';
import { evidenceRows } from './values.js';

const params = z.strictObject({
  standbys: z.array(z.string().min(1)).optional().describe('application_name of standbys that must be connected; a missing one fails the node'),
});

const OBSERVE = ['lagSeconds', 'lagBytes', 'standbys', 'state', 'slotsInactive'] as const;
type Observe = (typeof OBSERVE)[number];

interface StandbyRow {
  name: string;
  state: string;
  sync_state: string;
  client_addr: string | null;
  lag_bytes: number | null;
  lag_seconds: number | null;
}

export default defineCheck({
  kind: 'postgres.replication',
  summary: 'Streaming replication: lag per standby (seconds or bytes), standby count, state, inactive slots',
  description:
    'On a primary, reads `pg_stat_replication`: `observe: lagSeconds` (replay lag of each standby, a list judged element by element; ' +
    'a standby that has replayed everything is 0), `lagBytes` (WAL not yet replayed, per standby), `state` (each standby\'s state: ' +
    '`== streaming`), `standbys` (how many are streaming). `slotsInactive` counts replication slots nobody is using (they retain WAL ' +
    'until the disk fills). On a standby (`connection: standby`), `lagSeconds` is its replay lag — 0 when it has replayed all it ' +
    'received, else the time since the last replayed transaction — `lagBytes` is received-but-not-replayed WAL and `state` is its ' +
    'WAL receiver\'s status. `standbys: [names]` fails the node when a named standby is not connected. The role needs pg_monitor ' +
    '(or superuser) to see positions.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'lagSeconds',
    patterns: OBSERVE.map((o) => new RegExp(`^${o}$`)),
    help: ['lagSeconds (default): replay lag, seconds', 'lagBytes: WAL not replayed', 'state: streaming/catchup/...', 'standbys: number streaming', 'slotsInactive: inactive replication slots'],
  },
  defaultExpect: (observe) => ({ standbys: '>= 1', state: '== streaming', slotsInactive: '== 0' })[observe ?? ''] as string | undefined,
  mutates: false,
  system: 'postgres',
  outputs: { standbys: 'application names of the connected standbys' },
  examples: [
    '- id: replication-lag\n  uses: postgres.replication\n  connection: primary\n  expect: "< 100ms"\n  for: 2m',
    '- id: two-standbys\n  uses: postgres.replication\n  connection: primary\n  observe: standbys\n  expect: ">= 2"',
    '- id: slots-in-use\n  uses: postgres.replication\n  observe: slotsInactive',
    '- id: standby-replay-lag\n  uses: postgres.replication\n  connection: standby\n  expect: "< 1s"',
  ],
  async run(p, ctx) {
    const observe = (ctx.observe ?? 'lagSeconds') as Observe;
    if (!OBSERVE.includes(observe)) return { error: `observe must be one of ${OBSERVE.join(', ')}, not "${ctx.observe}"` };
    return withConnection(ctx, { readOnly: true, kind: 'postgres.replication' }, async (client): Promise<CheckResult> => {
      const inRecovery = (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r as boolean;
      if (observe === 'slotsInactive') return observeSlots(client, inRecovery);
      if (inRecovery && observe !== 'standbys') return observeAsStandby(client, observe);
      const standbys = await readStandbys(client, inRecovery);
      const rows = evidenceRows(standbys as unknown as Array<Record<string, unknown>>, 50);
      const outputs = { standbys: standbys.map((s) => s.name) };
      const missing = (p.standbys ?? []).filter((name) => !standbys.some((s) => s.name === name));
      if (missing.length > 0) {
        return { status: 'fail', reasons: missing.map((name) => `standby ${name} is not connected (connected: ${standbys.map((s) => s.name).join(', ') || 'none'})`), details: { rows }, outputs };
      }
      const notes = standbys.map((s) => `${s.name}: ${s.state} (${s.sync_state}), replay lag ${s.lag_seconds ?? '?'} s, ${s.lag_bytes ?? '?'} bytes behind`);
      const details = { rows, notes: notes.length ? notes : ['no standby is connected'] };
      if (observe === 'standbys') return { observed: standbys.filter((s) => s.state === 'streaming').length, details, outputs };
      const list = (pick: (s: StandbyRow) => LabelledValue['value']): LabelledValue[] => standbys.map((s) => ({ name: s.name, value: pick(s) }));
      if (observe === 'state') return { observed: list((s) => s.state), details, outputs };
      if (observe === 'lagBytes') return { observed: list((s) => s.lag_bytes), unit: 'bytes', details, outputs };
      return { observed: list((s) => s.lag_seconds), unit: 'seconds', details, outputs };
    });
  },
});

async function readStandbys(client: Queryable, inRecovery: boolean): Promise<StandbyRow[]> {
  // A cascading standby has no pg_current_wal_lsn(); its own replay position is the reference.
  const head = inRecovery ? 'pg_last_wal_replay_lsn()' : 'pg_current_wal_lsn()';
  const { rows } = await client.query(
    `SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text) AS name, state, sync_state, client_addr::text,
            pg_wal_lsn_diff(${head}, replay_lsn)::float8 AS lag_bytes,
            extract(epoch FROM replay_lag)::float8 AS replay_lag
       FROM pg_stat_replication ORDER BY 1`,
  );
  return (rows as Array<StandbyRow & { replay_lag: number | null }>).map(({ replay_lag, ...row }) => ({
    ...row,
    // replay_lag goes NULL once a standby has replayed everything and nothing new is written.
    lag_seconds: replay_lag ?? (row.lag_bytes === 0 ? 0 : null),
  }));
}

async function observeAsStandby(client: Queryable, observe: Observe): Promise<CheckResult> {
  const { rows } = await client.query(
    `SELECT pg_last_wal_receive_lsn()::text AS received, pg_last_wal_replay_lsn()::text AS replayed,
            pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 AS lag_bytes,
            CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag_seconds,
            pg_is_wal_replay_paused() AS paused,
            (SELECT status FROM pg_stat_wal_receiver) AS receiver,
            (SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver) AS sender`,
  );
  const row = rows[0] as { received: string | null; replayed: string | null; lag_bytes: number | null; lag_seconds: number | null; paused: boolean; receiver: string | null; sender: string | null };
  const notes = [
    `standby: received ${row.received ?? 'nothing'}, replayed ${row.replayed ?? 'nothing'}${row.paused ? ' (replay is PAUSED)' : ''}`,
    `WAL receiver: ${row.receiver ?? 'not running'}${row.sender ? ` from ${row.sender}` : ''}`,
  ];
  const details = { notes, rows: [row as unknown as Record<string, unknown>] };
  if (observe === 'state') return { observed: [{ name: 'wal receiver', value: row.receiver ?? 'stopped' }], details };
  if (observe === 'lagBytes') return { observed: row.lag_bytes, unit: 'bytes', details };
  return { observed: row.lag_seconds, unit: 'seconds', details };
}

async function observeSlots(client: Queryable, inRecovery: boolean): Promise<CheckResult> {
  const retained = inRecovery ? 'NULL::float8' : 'pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8';
  const { rows } = await client.query(
    `SELECT slot_name, slot_type, active, wal_status, ${retained} AS retained_bytes FROM pg_replication_slots ORDER BY slot_name`,
  );
  const inactive = (rows as Array<{ slot_name: string; active: boolean; retained_bytes: number | null }>).filter((r) => !r.active);
  const notes = inactive.map((r) => `slot ${r.slot_name} is inactive${r.retained_bytes !== null ? `, retaining ${r.retained_bytes} bytes of WAL` : ''}`);
  return {
    observed: inactive.length,
    details: { rows: evidenceRows(rows, 50), notes: notes.length ? notes : [`${rows.length} slot(s), all active`] },
    outputs: { inactive: inactive.map((r) => r.slot_name) },
  };
}
