import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runProcess } from '../../src/sdk/index.js';

// `DEMO_COMMAND=promote npm run demo`: a new user's first cut-over, start-up to tear-down.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const evidenceDir = mkdtempSync(join(tmpdir(), 'rollout-demo-evidence-'));
afterAll(() => rmSync(evidenceDir, { recursive: true, force: true }));

it('DEMO_COMMAND=promote npm run demo promotes the seed, shows the journal and the rollback dry run, exit 0', async () => {
  const result = await runProcess([process.execPath, join(ROOT, 'scripts/demo.mjs')], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', DEMO_COMMAND: 'promote', DEMO_EVIDENCE: evidenceDir },
  });
  expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/dpg-cluster promote --env demo: PASS \(exit 0\)/);
  expect(result.stdout).toMatch(/\S+ docker stack deploy -c docker-compose\.production\.yml distributed-pg-cluster\n/);
  expect(result.stdout).toMatch(/Rollback dry run — nothing was changed\./);
  expect(result.stdout).toMatch(/demo: promote exited 0, rollback --dry-run exited 0/);
  expect(readdirSync(join(evidenceDir, 'demo')).sort()).toEqual([expect.stringMatching(/-dpg-cluster-promote\.md$/), expect.stringMatching(/-dpg-cluster-rollback-dry-run\.md$/)]);
}, 180_000);

it('DEMO_COMMAND of anything else is refused before anything starts (exit 2)', async () => {
  const result = await runProcess([process.execPath, join(ROOT, 'scripts/demo.mjs')], { cwd: ROOT, env: { ...process.env, DEMO_COMMAND: 'deploy' } });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toMatch(/DEMO_COMMAND=deploy: expected check or promote/);
});
