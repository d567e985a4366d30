import { describe, expect, it } from 'vitest';
import window from '../../../checks/window/index.js';
import type { OperatorInput } from '../../../src/sdk/index.js';
import { rollout, workspace } from '../../helpers/cli.js';
import { createCheckContext } from '../../helpers/check-context.js';

async function judge(withParams: Record<string, unknown>, at: string, operator?: OperatorInput) {
  const params = window.params.parse(withParams);
  const ctx = createCheckContext({ at: new Date(at), nodeId: 'go-live' });
  return window.run(params, operator ? { ...ctx, operator } : ctx);
}

const GO_LIVE = {
  timezone: 'Europe/Berlin',
  allow: [{ rrule: 'FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9', duration: '6h' }],
  deny: [
    { name: 'December freeze', from: '2026-12-18', to: '2027-01-04' },
    { name: "the quarter's last business day", rrule: 'FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', duration: '24h' },
  ],
};

describe('window with RRULE calendars', () => {
  it('passes inside an allowed occurrence and refuses outside, saying when it resumes', async () => {
    // Tue 2026-11-24 10:00 UTC is 11:00 in Berlin.
    expect(await judge(GO_LIVE, '2026-11-24T10:00:00Z')).toMatchObject({ status: 'pass' });
    const late = await judge(GO_LIVE, '2026-11-24T14:30:00Z');
    expect(late).toMatchObject({ status: 'fail', outputs: { resumes: 'Wed 2026-11-25 09:00 Europe/Berlin' } });
    expect((late as { reasons: string[] }).reasons).toEqual(['Tue 2026-11-24 15:30 Europe/Berlin is not inside any allowed period (FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9 for 6h)', 'resumes Wed 2026-11-25 09:00 Europe/Berlin']);
    const friday = await judge(GO_LIVE, '2026-11-27T10:00:00Z');
    expect((friday as { reasons: string[] }).reasons[1]).toBe('resumes Tue 2026-12-01 09:00 Europe/Berlin');
  });

  it('deny wins over allow: the freeze and the quarter-end day refuse inside allowed hours, naming the rule', async () => {
    const freeze = await judge(GO_LIVE, '2026-12-22T10:00:00Z');
    expect((freeze as { reasons: string[] }).reasons).toEqual(['Tue 2026-12-22 11:00 Europe/Berlin is denied by December freeze (until Tue 2027-01-05 00:00 Europe/Berlin)', 'resumes Tue 2027-01-05 09:00 Europe/Berlin']);
    // Wed 2026-09-30 is the quarter's last business day.
    const quarterEnd = await judge(GO_LIVE, '2026-09-30T08:00:00Z');
    expect((quarterEnd as { reasons: string[] }).reasons[0]).toMatch(/^Wed 2026-09-30 10:00 Europe\/Berlin is denied by the quarter's last business day/);
    expect((quarterEnd as { reasons: string[] }).reasons[1]).toBe('resumes Thu 2026-10-01 09:00 Europe/Berlin');
  });

  it('keeps the wall clock across DST: 09:00 Berlin is 08:00 UTC in winter, 07:00 UTC in summer', async () => {
    expect(await judge(GO_LIVE, '2026-03-26T07:30:00Z')).toMatchObject({ status: 'fail', outputs: { resumes: 'Thu 2026-03-26 09:00 Europe/Berlin' } });
    // Wed 2026-04-01 (not 03-31: the quarter's last business day is denied).
    expect(await judge(GO_LIVE, '2026-04-01T07:30:00Z')).toMatchObject({ status: 'pass' });
    expect(await judge(GO_LIVE, '2026-10-27T07:30:00Z')).toMatchObject({ status: 'fail' });
    expect(await judge(GO_LIVE, '2026-10-27T08:30:00Z')).toMatchObject({ status: 'pass' });
  });

  it('a rule at 02:30 on the spring-forward day opens at 03:30 summer time and lasts its elapsed duration', async () => {
    const nightly = { timezone: 'Europe/Berlin', allow: [{ rrule: 'FREQ=DAILY;BYHOUR=2;BYMINUTE=30', duration: '1h' }] };
    // 2026-03-29 01:30 UTC = 03:30 CEST (02:30 does not exist).
    expect(await judge(nightly, '2026-03-29T01:29:00Z')).toMatchObject({ status: 'fail', outputs: { resumes: 'Sun 2026-03-29 03:30 Europe/Berlin' } });
    expect(await judge(nightly, '2026-03-29T01:45:00Z')).toMatchObject({ status: 'pass' });
    expect(await judge(nightly, '2026-03-29T02:31:00Z')).toMatchObject({ status: 'fail' });
    // On 2026-10-25 02:30 happens twice: the window opens at the first (00:30 UTC).
    expect(await judge(nightly, '2026-10-25T00:45:00Z')).toMatchObject({ status: 'pass' });
    expect(await judge(nightly, '2026-10-25T01:45:00Z')).toMatchObject({ status: 'fail' });
  });

  it('a break-glass override signed with who and why lets the run proceed, recorded as an override', async () => {
    const params = { ...GO_LIVE, override: { role: 'Incident Commander' } };
    const operator = (value?: string): OperatorInput => ({ user: 'ops', ci: 'none (interactive)', supplied: () => (value ? { value, source: '--approve' } : undefined) });
    const signed = await judge(params, '2026-12-22T10:00:00Z', operator('Dana Lee: INC-42 payment outage hotfix'));
    expect(signed).toMatchObject({ status: 'pass', outputs: { override: 'true', name: 'Dana Lee', reason: 'INC-42 payment outage hotfix', role: 'Incident Commander', source: '--approve' } });
    expect((signed as { reasons: string[] }).reasons[2]).toMatch(/^BREAK-GLASS OVERRIDE by Dana Lee \(Incident Commander\) via --approve at .*: INC-42 payment outage hotfix$/);
    expect(await judge(params, '2026-12-22T10:00:00Z', operator('Dana Lee'))).toMatchObject({ status: 'fail', reasons: expect.arrayContaining([expect.stringMatching(/needs who and why/)]) });
    expect(await judge(params, '2026-12-22T10:00:00Z', operator())).toMatchObject({ status: 'fail' });
  });

  it('CLI: --at inside and outside, break-glass in the evidence, and a bad RRULE is exit 2 with file:line:col', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: calendars
environments: { production: {} }
gates:
  - id: go-live
    uses: window
    with:
      timezone: Europe/Berlin
      allow: [{ rrule: "FREQ=WEEKLY;BYDAY=TU,WE,TH;BYHOUR=9", duration: 6h }]
      deny: [{ name: December freeze, from: "2026-12-18", to: "2027-01-04" }]
      override: { role: Incident Commander }
`,
    });
    const at = (time: string, ...more: string[]) => rollout(['check', '--env', 'production', '--reporter', 'json', '--at', time, ...more], { cwd: dir });
    expect((await at('2026-11-24T10:00:00Z')).exitCode).toBe(0);
    const refused = await at('2026-12-22T10:00:00Z');
    expect(refused.exitCode).toBe(1);
    expect(refused.json.nodes[0].message).toMatch(/denied by December freeze/);
    const glass = await at('2026-12-22T10:00:00Z', '--approve', 'go-live=Dana Lee: INC-42 hotfix');
    expect(glass.exitCode, glass.stderr).toBe(0);
    expect(glass.json.nodes[0].outputs).toMatchObject({ override: 'true', name: 'Dana Lee', reason: 'INC-42 hotfix' });
    const bad = workspace({ 'rollout.yaml': 'version: 1\nname: calendars\nenvironments: { production: {} }\ngates:\n  - id: go-live\n    uses: window\n    with:\n      allow: [{ rrule: "FREQ=WEEKLY;BYHOUR=25", duration: 6h }]\n' });
    const invalid = await rollout(['validate'], { cwd: bad });
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stdout + invalid.stderr).toMatch(/rollout\.yaml:8:\d+.*bad RRULE: BYHOUR=25/);
  });
});
