import { describe, expect, it } from 'vitest';
import { rollout } from '../helpers/cli.js';

describe('rollout checks shows mutation truthfully', () => {
  it('http mutates only when its method is not GET/HEAD; a mutating kind says [mutates]', async () => {
    const run = await rollout(['checks']);
    expect(run.exitCode).toBe(0);
    const line = (kind: string) => run.stdout.split('\n').find((l) => l.trimStart().startsWith(`${kind} `)) ?? '';
    expect(line('http')).toMatch(/\[mutates when method is not GET\/HEAD\]$/);
    expect(line('postgres.exec')).toMatch(/\[mutates\]$/);
    expect(line('kubernetes.rollout')).not.toMatch(/mutates/);
    const http = await rollout(['checks', 'http']);
    expect(http.stdout).toMatch(/^Mutates: when method is not GET\/HEAD/m);
  });
});
