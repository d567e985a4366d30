import { describe, expect, inject, test } from 'vitest';
import { rollout, statuses, workspace } from '../helpers/cli.js';

// The history Prometheus holds six hours of fixture data ending at `harness.end`, one sample
// every 15 s (fixtures/prometheus/generate.mjs); an instant-vector selector sees a sample for
// 5 minutes after it (Prometheus' lookback delta).
const harness = inject('prometheus');
const END_MS = Date.parse(harness.end);
const FIRST_SAMPLE_MS = END_MS - 6 * 3600_000;
const MEMORY = 'process_resident_memory_bytes{service="checkout"}';

function playbook(): string {
  return `version: 1
name: windows
environments: { fixture: { prometheus: { url: "${harness.historyUrl}" } } }
gates:
  - { id: memory-held, uses: prometheus.query, with: { query: '${MEMORY}' }, expect: "> 0", for: 5m }
rollback:
  triggers:
    - { id: memory-trigger, uses: prometheus.query, with: { query: '${MEMORY}' }, expect: "< 1", for: 5m }
  steps:
    - { id: undo, uses: exec, with: { command: ["true"] } }
`;
}

const at = (ms: number) => new Date(ms).toISOString();
const node = (run: { json: { nodes: Array<{ id: string }> } }, id: string) => run.json.nodes.find((n) => n.id === id) as any;

describe('for: windows over Prometheus history (the real server)', () => {
  test('a window whose newest step has no sample is error, not pass', async () => {
    const dir = workspace({ 'rollout.yaml': playbook() });
    // 5m05s after the last sample: the step at --at is past the lookback, the one 15 s before is not.
    const run = await rollout(['check', '--env', 'fixture', '--only', 'memory-held', '--at', at(END_MS + 305_000), '--reporter', 'json'], { cwd: dir });
    expect(statuses(run.json)['memory-held'], node(run, 'memory-held')?.message).toBe('error');
    expect(node(run, 'memory-held').message).toMatch(/gap in the window's samples: 1 of 21 steps have no sample, first at 2026-01-15T12:05:05\.\d{3}Z/);
    expect(run.exitCode).toBe(3);
  });

  test('a trigger on a series born 4m45s ago does not fire for: 5m (Prometheus would keep it pending); born 5m ago, it fires', async () => {
    const dir = workspace({ 'rollout.yaml': playbook() });
    const young = await rollout(['rollback', '--env', 'fixture', '--dry-run', '--at', at(FIRST_SAMPLE_MS + 285_000), '--reporter', 'json'], { cwd: dir });
    expect(statuses(young.json)['memory-trigger'], node(young, 'memory-trigger')?.message).toBe('error');
    expect(node(young, 'memory-trigger').message).toMatch(/gap in the window's samples: 1 of 21 steps have no sample, first at /);
    const old = await rollout(['rollback', '--env', 'fixture', '--dry-run', '--at', at(FIRST_SAMPLE_MS + 300_000), '--reporter', 'json'], { cwd: dir });
    expect(statuses(old.json)['memory-trigger'], node(old, 'memory-trigger')?.message).toBe('fired');
    expect(node(old, 'memory-trigger').samples).toHaveLength(21);
  });

  test('under --at the window ends at --at exactly: a sample still in the lookback at --at is seen', async () => {
    const dir = workspace({ 'rollout.yaml': playbook() });
    // 1 ms before the last sample leaves the lookback: a window ending even 1 ms after --at misses it.
    const run = await rollout(['check', '--env', 'fixture', '--only', 'memory-held', '--at', at(END_MS + 299_999), '--reporter', 'json'], { cwd: dir });
    const held = node(run, 'memory-held');
    expect(held.status, held.message).toBe('pass');
    expect(held.samples.at(-1).at).toBe(at(END_MS + 299_999));
    expect(held.samples[0].at).toBe(at(END_MS - 1));
  });
});
