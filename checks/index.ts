import type { CheckDefinition, Registry, SystemDefinition } from '../src/sdk/index.js';

// The one place kinds are registered. Each loads lazily, so a `check` that uses only `exec`
// never pays for the Kubernetes or PostgreSQL clients. One line per kind.
const kind = (load: () => Promise<{ default: CheckDefinition }>) => async () => (await load()).default;
const system = (load: () => Promise<{ default: SystemDefinition }>) => async () => (await load()).default;

export const registry: Registry = {
  kinds: {
    exec: kind(() => import('./exec/index.js')),
    file: kind(() => import('./file/index.js')),
    http: kind(() => import('./http/index.js')),
    'prometheus.query': kind(() => import('./prometheus/query.js')),
    'prometheus.alerts': kind(() => import('./prometheus/alerts.js')),
    'prometheus.rules': kind(() => import('./prometheus/rules.js')),
    'alertmanager.receivers': kind(() => import('./alertmanager/receivers.js')),
    'prometheus.burn-rate': kind(() => import('./prometheus/burn-rate.js')),
    'prometheus.compare': kind(() => import('./prometheus/compare.js')),
    'prometheus.error-budget': kind(() => import('./prometheus/error-budget.js')),
    'kubernetes.rollout': kind(() => import('./kubernetes/rollout.js')),
    'kubernetes.pods': kind(() => import('./kubernetes/pods.js')),
    'kubernetes.images': kind(() => import('./kubernetes/images.js')),
    'kubernetes.pdb': kind(() => import('./kubernetes/pdb.js')),
    'kubernetes.network-policy': kind(() => import('./kubernetes/network-policy.js')),
    'kubernetes.workload-hygiene': kind(() => import('./kubernetes/workload-hygiene.js')),
    'kubernetes.condition': kind(() => import('./kubernetes/condition.js')),
    'kubernetes.exists': kind(() => import('./kubernetes/exists.js')),
    'kubernetes.rollout-undo': kind(() => import('./kubernetes/rollout-undo.js')),
    'postgres.query': kind(() => import('./postgres/query.js')),
    'postgres.setting': kind(() => import('./postgres/setting.js')),
    'postgres.version': kind(() => import('./postgres/version.js')),
    'postgres.extension': kind(() => import('./postgres/extension.js')),
    'postgres.replication': kind(() => import('./postgres/replication.js')),
    'postgres.archiving': kind(() => import('./postgres/archiving.js')),
    'postgres.migrations': kind(() => import('./postgres/migrations.js')),
    'postgres.row-counts': kind(() => import('./postgres/row-counts.js')),
    'postgres.exec': kind(() => import('./postgres/exec.js')),
    'postgres.write-probe': kind(() => import('./postgres/write-probe.js')),
    'backup.fresh': kind(() => import('./backup/fresh.js')),
    approval: kind(() => import('./approval/index.js')),
    window: kind(() => import('./window/index.js')),
    'evidence.recent': kind(() => import('./evidence/recent.js')),
    tls: kind(() => import('./tls/index.js')),
    tcp: kind(() => import('./tcp/index.js')),
    dns: kind(() => import('./dns/index.js')),
    'redis.ping': kind(() => import('./redis/ping.js')),
    'redis.config': kind(() => import('./redis/config.js')),
    'redis.replication': kind(() => import('./redis/replication.js')),
    'redis.memory': kind(() => import('./redis/memory.js')),
    'etcd.health': kind(() => import('./etcd/health.js')),
    'pgbouncer.pools': kind(() => import('./pgbouncer/pools.js')),
    'patroni.cluster': kind(() => import('./patroni/cluster.js')),
  },
  systems: {
    postgres: system(() => import('./postgres/system.js')),
    kubernetes: system(() => import('./kubernetes/system.js')),
    prometheus: system(() => import('./prometheus/system.js')),
  },
};
