import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { rollout, workspace } from '../helpers/cli.js';

const harness = inject('prometheus');
const spec = (name: string) => fileURLToPath(new URL(`./specs/${name}`, import.meta.url));
const SPECS = ['sloth-getting-started.yml', 'sloth-raw-home-wifi.yml', 'sloth-checkout.yml', 'openslo-checkout.yaml', 'openslo-indicator-ref.yaml', 'openslo-threshold.yaml'];

describe('rollout import slo', () => {
  it.each(SPECS)('%s becomes burn-rate pairs and an error-budget gate that validate', async (name) => {
    const imported = await rollout(['import', 'slo', spec(name)]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const playbook = parse(imported.stdout);
    const kinds = playbook.gates.map((g: { uses: string; expect: string; with: Record<string, unknown> }) => [g.uses, g.expect, g.with.longWindow ?? null, g.with.shortWindow ?? null]);
    expect(kinds.slice(0, 3)).toEqual([
      ['prometheus.burn-rate', '< 14.4', '1h', '5m'],
      ['prometheus.burn-rate', '< 6', '6h', '30m'],
      ['prometheus.error-budget', '> 0', null, null],
    ]);
    const dir = workspace({ 'rollout.yaml': imported.stdout });
    const valid = await rollout(['validate'], { cwd: dir });
    expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0);
  });

  it("takes each spec's objective and window: Sloth percent, OpenSLO fraction, indicatorRef with two objectives", async () => {
    const sloth = parse((await rollout(['import', 'slo', spec('sloth-getting-started.yml')])).stdout);
    expect(sloth.gates[0]).toMatchObject({ id: 'myservice-requests-availability-burn-fast', with: { objective: 0.999, errorRatio: '(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[$window]))) / (sum(rate(http_request_duration_seconds_count{job="myservice"}[$window])))' } });
    expect(sloth.gates[2]).toMatchObject({ uses: 'prometheus.error-budget', with: { errorRatio: sloth.gates[0].with.errorRatio, objective: 0.999, window: '30d' } });
    const wifi = parse((await rollout(['import', 'slo', spec('sloth-raw-home-wifi.yml')])).stdout);
    expect(wifi.gates[0].with.objective).toBe(0.95);
    const ref = parse((await rollout(['import', 'slo', spec('openslo-indicator-ref.yaml')])).stdout);
    expect(ref.gates.map((g: { id: string }) => g.id)).toEqual(['checkout-success-strict-burn-fast', 'checkout-success-strict-burn-slow', 'checkout-success-strict-error-budget', 'checkout-success-lenient-burn-fast', 'checkout-success-lenient-burn-slow', 'checkout-success-lenient-error-budget']);
    expect(ref.gates[5]).toMatchObject({ with: { window: '1w' } });
    const openslo = parse((await rollout(['import', 'slo', spec('openslo-checkout.yaml'), '--min-budget', '0.25'])).stdout);
    expect(openslo.gates[2]).toMatchObject({ id: 'checkout-availability-error-budget', expect: '> 0.25' });
    expect(openslo.gates[0].with.errorRatio).toBe('(sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window]))) / (sum(rate(http_requests_total{service="checkout"}[$window])))');
  });

  it("refuses what it cannot convert faithfully, naming each feature (OpenSLO's own timeslices example)", async () => {
    const refused = await rollout(['import', 'slo', spec('openslo-timeslices-sla.yaml')]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('calendar-aligned timeWindow is not supported');
    expect(refused.stderr).toContain('budgetingMethod Timeslices on a ratioMetric is not supported');
    expect(refused.stderr).toContain('metric source type Any is not supported (only Prometheus)');
    const dir = workspace({ 'v1alpha.yaml': 'apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: { name: x }\n', 'gauge.yaml': readFileSync(spec('openslo-checkout.yaml'), 'utf8').replace('counter: true', 'counter: false') });
    expect((await rollout(['import', 'slo', 'v1alpha.yaml'], { cwd: dir })).stderr).toContain('only openslo/v1 is supported');
    expect((await rollout(['import', 'slo', 'gauge.yaml'], { cwd: dir })).stderr).toContain('counter: false (gauges) is not supported');
  });

  it('--write adds the gates to a playbook, keeping what is there, and refuses duplicate ids', async () => {
    const dir = workspace({ 'rollout.yaml': `version: 1\nname: shop\n# our gates\nenvironments: { production: { prometheus: { url: "${harness.historyUrl}" } } }\ngates:\n  - { id: smoke, uses: exec, with: { command: ["true"] } }\n` });
    const written = await rollout(['import', 'slo', spec('sloth-checkout.yml'), '--write', 'rollout.yaml'], { cwd: dir });
    expect(written.exitCode, written.stderr).toBe(0);
    const text = readFileSync(join(dir, 'rollout.yaml'), 'utf8');
    expect(text).toContain('# our gates');
    expect(parse(text).gates.map((g: { id: string }) => g.id)).toEqual(['smoke', 'checkout-availability-burn-fast', 'checkout-availability-burn-slow', 'checkout-availability-error-budget']);
    expect((await rollout(['validate'], { cwd: dir })).exitCode).toBe(0);
    const again = await rollout(['import', 'slo', spec('sloth-checkout.yml'), '--write', 'rollout.yaml'], { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already has checkout-availability-burn-fast, checkout-availability-burn-slow, checkout-availability-error-budget; nothing written');
    expect(readFileSync(join(dir, 'rollout.yaml'), 'utf8')).toBe(text);
  });

  // A 10-minute outage at 7 % errors burns a 99.95 % budget at 23× over the hour (healthy: 1×).
  it.each(['sloth-checkout.yml', 'openslo-checkout.yaml'])('%s: the imported fast-burn gate passes on healthy data and fails on burning data in the real Prometheus', async (name) => {
    const imported = await rollout(['import', 'slo', spec(name)]);
    const dir = workspace({ 'rollout.yaml': imported.stdout });
    const env = { PROMETHEUS_URL: harness.historyUrl };
    const at = (time: string) => rollout(['check', '--env', 'production', '--reporter', 'json', '--at', time, '--only', parse(imported.stdout).gates[0].id], { cwd: dir, env });
    const healthy = await at(harness.scenarios.healthy!);
    expect(healthy.exitCode, JSON.stringify(healthy.json?.nodes)).toBe(0);
    const burning = await at(harness.scenarios.outageEnd!);
    expect(burning.exitCode, JSON.stringify(burning.json?.nodes)).toBe(1);
    expect(burning.json.nodes[0].observed).toBeGreaterThan(14.4);
  });

  // 99.9 % over 30 days on the test Prometheus's checkout service: before the 08:00 outage the
  // six hours of history hold 0.05 % errors (half the budget left); at 12:00 the outage and the
  // spike have overspent it.
  const budgetSpecs: Record<string, string> = {
    'sloth.yml': ['version: "prometheus/v1"', 'service: "checkout"', 'slos:', '  - name: "availability"', '    objective: 99.9', '    sli:', '      events:', '        error_query: sum(rate(http_requests_total{service="SERVICE",code=~"5.."}[{{.window}}]))', '        total_query: sum(rate(http_requests_total{service="SERVICE"}[{{.window}}]))', ''].join('\n'),
    'openslo.yaml': readFileSync(spec('openslo-checkout.yaml'), 'utf8').replace('target: 0.9995', 'target: 0.999').replace('duration: 28d', 'duration: 30d').replaceAll('service="checkout"', 'service="SERVICE"'),
  };
  it.each(Object.keys(budgetSpecs))('%s: the imported prometheus.error-budget gate passes with budget left, fails when it is spent, and is never a pass without data', async (name) => {
    const runAt = async (service: string, time: string) => {
      const dir = workspace({ [name]: budgetSpecs[name]!.replaceAll('SERVICE', service) });
      const imported = await rollout(['import', 'slo', name, '--min-budget', '0.25'], { cwd: dir });
      expect(imported.exitCode, imported.stderr).toBe(0);
      writeFileSync(join(dir, 'rollout.yaml'), imported.stdout);
      const gate = parse(imported.stdout).gates.find((g: { uses: string }) => g.uses === 'prometheus.error-budget');
      expect(gate).toMatchObject({ expect: '> 0.25', with: { objective: 0.999, window: '30d' } });
      return rollout(['check', '--env', 'production', '--reporter', 'json', '--at', time, '--only', gate.id], { cwd: dir, env: { PROMETHEUS_URL: harness.historyUrl } });
    };
    const healthy = await runAt('checkout', new Date(Date.parse(harness.scenarios.outageStart!) - 60_000).toISOString());
    expect(healthy.exitCode, JSON.stringify(healthy.json?.nodes)).toBe(0);
    expect(healthy.json.nodes[0].observed).toBeCloseTo(0.5, 2);
    const spent = await runAt('checkout', harness.end);
    expect(spent.exitCode, JSON.stringify(spent.json?.nodes)).toBe(1);
    expect(spent.json.nodes[0].observed).toBeLessThan(0);
    const noData = await runAt('nothing', harness.end);
    expect(noData.json.nodes[0].status).toBe('error');
    expect(noData.exitCode).toBe(3);
  });
});
