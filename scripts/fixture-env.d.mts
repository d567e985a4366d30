import type { FixtureApiServer } from '../fixtures/kubernetes/api-server.mjs';

// Types for the plain-JS seed fixture environment, so the TypeScript test setup can use it.
export interface FixtureEnv {
  /** Coordinates the seed playbooks read: KUBECONFIG, PROM_URL, DATABASE_URL, BACKUP_DIR, SEEDS_JOURNAL, ... */
  env: Record<string, string>;
  dir: string;
  startMs: number;
  /** When each service was up, in ms from the start (they start together). */
  timingsMs: Record<string, number>;
  /** SQL as the superuser on the primary, over its socket; returns psql's unaligned output. */
  sql(text: string): Promise<string>;
  /** The fixture Kubernetes API servers: `healthy` (env demo, $KUBECONFIG), `broken` (demo-broken), `rollback` (demo-rollback: new templates stall). */
  kubernetes: { healthy: FixtureApiServer; broken: FixtureApiServer; rollback: FixtureApiServer };
  stop(): Promise<void>;
}
export function startFixtureEnv(options?: { tmpDir?: string }): Promise<FixtureEnv>;
