import { startCluster, stopCluster, type PgCluster } from '../helpers/postgres/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PgCluster;
  }
}

let cluster: PgCluster | undefined;

/** One PostgreSQL primary, its streaming standby and a sandbox server for the whole test run. */
export async function setup({ provide }: { provide: (key: 'postgres', value: PgCluster) => void }): Promise<void> {
  cluster = await startCluster();
  process.stderr.write(`postgres harness: primary :${cluster.primary.port}, standby :${cluster.standby.port}, sandbox :${cluster.sandbox.port} started in ${cluster.startMs} ms\n`);
  provide('postgres', cluster);
}

export async function teardown(): Promise<void> {
  if (cluster) await stopCluster(cluster);
  cluster = undefined;
}
