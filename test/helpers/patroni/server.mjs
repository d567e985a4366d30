// A stand-in for Patroni's REST API on loopback (Patroni is not packaged here). It answers the
// documented read-only endpoints with the documented payload shapes: `GET /cluster` (members
// with role, state, timeline, lag, pending_restart), `GET /history` (timeline switches:
// [timeline, lsn, reason, timestamp, new leader]), and per member `GET /health` (200 when
// PostgreSQL runs, 503 when not) and `GET /patroni`. Every member's `api_url` points back here
// under /members/<name>/, so one process plays the whole cluster. Plain ESM: the seeds'
// fixture environment (scripts/fixture-env.mjs) and the tests use it without a build.
import { createServer } from 'node:http';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Named clusters: `healthy` (three members, nothing recent in the history) and `broken` (what an SRE fears). */
export function scenarioOf(name, now = Date.now()) {
  if (name === 'healthy') {
    return {
      members: [
        { name: 'pg-1', role: 'leader', state: 'running', timeline: 4 },
        { name: 'pg-2', role: 'sync_standby', state: 'streaming', timeline: 4, lag: 0 },
        { name: 'pg-3', role: 'replica', state: 'streaming', timeline: 4, lag: 4096 },
      ],
      // Three promotions, the newest 45 days ago: "zero failovers in the last 30 days" holds.
      history: [90, 60, 45].map((days, i) => [i + 1, 25_000_000 * (i + 1), 'no recovery target specified', isoAt(now - days * DAY_MS), i % 2 ? 'pg-1' : 'pg-2']),
    };
  }
  if (name === 'broken') {
    return {
      members: [
        { name: 'pg-1', role: 'leader', state: 'running', timeline: 7 },
        { name: 'pg-2', role: 'replica', state: 'streaming', timeline: 7, lag: 268_435_456 },
        { name: 'pg-3', role: 'replica', state: 'stopped', timeline: 6, pending_restart: true, lag: 1_073_741_824, healthy: false },
      ],
      // Three failovers within the last hour on top of an old history.
      history: [
        [4, 25_000_000, 'no recovery target specified', isoAt(now - 60 * DAY_MS), 'pg-2'],
        ...[50, 30, 10].map((minutes, i) => [5 + i, 90_000_000 + i * 1_000_000, 'no recovery target specified', isoAt(now - minutes * 60_000), i % 2 ? 'pg-2' : 'pg-1']),
      ],
    };
  }
  throw new Error(`unknown Patroni fixture scenario ${name}`);
}

function isoAt(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * Starts the fixture on 127.0.0.1 (a random port). `state.members[i].healthy === false` makes
 * that member's /health answer 503. `setMode('bad-json' | 'server-error' | 'ok')` breaks the
 * cluster endpoints on purpose, for the error cases.
 */
export async function startPatroniFixture({ scenario = 'healthy', state } = {}) {
  let current = structuredClone(state ?? scenarioOf(scenario));
  let mode = 'ok';
  const requests = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(path);
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: 'read-only fixture' });
    if (mode === 'server-error') return send(503, { error: 'DCS is not accessible' });
    if (mode === 'bad-json' && (path === '/cluster' || path === '/history')) return send(200, '{"members": [');
    const base = `http://127.0.0.1:${server.address().port}`;
    if (path === '/cluster') return send(200, clusterJson(current, base));
    if (path === '/history') return send(200, current.history);
    const member = /^\/members\/([^/]+)\/(health|patroni)$/.exec(path);
    if (member) {
      const found = current.members.find((m) => m.name === decodeURIComponent(member[1]));
      if (!found) return send(404, { error: 'no such member' });
      const running = found.healthy !== false && found.state !== 'stopped';
      return send(running ? 200 : 503, memberStatus(found, current));
    }
    // The node the caller reached is the cluster's first member (as on a real Patroni).
    if (path === '/health' || path === '/patroni') {
      const first = current.members[0];
      const running = first && first.healthy !== false && first.state !== 'stopped';
      return send(running ? 200 : 503, first ? memberStatus(first, current) : {});
    }
    send(404, { error: 'not found' });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    get state() {
      return current;
    },
    setState(next) {
      current = structuredClone(next);
    },
    setMode(next) {
      mode = next;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** `GET /cluster` as Patroni documents it: members sorted by name, lag fields only on non-leaders. */
function clusterJson(state, base) {
  const members = [...state.members].sort((a, b) => a.name.localeCompare(b.name)).map((m) => {
    const member = { name: m.name, role: m.role, state: m.state, api_url: `${base}/members/${encodeURIComponent(m.name)}/patroni`, host: '127.0.0.1', port: 5432, timeline: m.timeline, tags: {} };
    if (m.pending_restart) Object.assign(member, { pending_restart: true, pending_restart_reason: { max_connections: { old_value: '100', new_value: '500' } } });
    if (m.role !== 'leader' && m.role !== 'standby_leader') {
      const lag = m.lag ?? 0;
      const lsn = lag === 'unknown' ? 'unknown' : '0/5000060';
      Object.assign(member, { receive_lag: lag, receive_lsn: lsn, replay_lag: lag, replay_lsn: lsn, lag, lsn });
    }
    return member;
  });
  return { members, scope: state.scope ?? 'demo', ...(state.pause ? { pause: true } : {}) };
}

function memberStatus(m, state) {
  return {
    state: m.state === 'streaming' ? 'running' : m.state,
    role: m.role === 'leader' ? 'primary' : 'replica',
    server_version: 160004,
    timeline: m.timeline,
    ...(m.pending_restart ? { pending_restart: true } : {}),
    patroni: { version: '4.0.0', scope: state.scope ?? 'demo', name: m.name },
  };
}
