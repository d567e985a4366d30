import { describe, expect, it } from 'vitest';
import { rollout, workspace } from '../helpers/cli.js';
import { RECORD_SCRIPT, readRecord } from '../helpers/record.js';

const step = (id: string, args: string, indent = '      ') => `${indent}- { id: ${id}, uses: exec, with: { command: [./rec.sh, ${args}] } }\n`;

describe('a partial promote whose failing stage would roll back', () => {
  it('is not called rolled-back when --only selected no rollback step: the verdict is the failure', async () => {
    const dir = workspace({
      'rec.sh': RECORD_SCRIPT,
      'rollout.yaml': `version: 1
name: partial
environments: { staging: {} }
stages:
  - id: release
    steps:
${step('deploy', 'deploy')}    verify:
${step('smoke', 'fail, smoke')}    onFailure: rollback
rollback:
  steps:
${step('undeploy', 'undeploy', '    ')}`,
    });
    const run = await rollout(['promote', '--env', 'staging', '--yes', '--reporter', 'json', '--only', 'deploy,smoke'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.json.verdict).toBe('fail');
    expect(readRecord(dir)).toEqual(['deploy', 'fail smoke']);
  });
});
