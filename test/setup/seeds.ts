import { startFixtureEnv, type FixtureEnv } from '../../scripts/fixture-env.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    seeds: { env: Record<string, string> };
  }
}

let fixture: FixtureEnv | undefined;

/** The seed playbooks' fixture environment (scripts/fixture-env.mjs, as `npm run demo` uses it), once per run. */
export async function setup({ provide }: { provide: (key: 'seeds', value: { env: Record<string, string> }) => void }): Promise<void> {
  fixture = await startFixtureEnv();
  process.stderr.write(`seeds fixture environment ready in ${fixture.startMs} ms (${fixture.dir})\n`);
  provide('seeds', { env: fixture.env });
}

export async function teardown(): Promise<void> {
  await fixture?.stop();
  fixture = undefined;
}
