import { describe, expect, it } from 'vitest';
import { checkEvidenceText } from '../../src/evidence/check-file.js';
import { relinkEvidence } from '../../src/evidence/push-spool.js';
import { composeEvidence } from '../../src/evidence/write.js';
import { META, runResult } from '../evidence/run-result.js';

describe('re-linking a spooled file to the store’s tip', () => {
  const options = { redact: (text: string) => text, meta: META };
  const spooled = composeEvidence(runResult('api', '2026-11-29T10:00:00.000Z'), options, undefined);
  const tip = { fileName: '2026-11-29T09-00-00.000Z-api-promote.md', sha256: 'b'.repeat(64) };

  it('links it to the tip, and it still verifies, with the same name', () => {
    const relinked = relinkEvidence(spooled.text, spooled.name, null, tip, 1, [{ name: `${spooled.name}.intoto.jsonl`, text: 'sig' }]);
    expect(relinked.name).toBe(spooled.name);
    const check = checkEvidenceText(relinked.text, relinked.name);
    expect(check).toMatchObject({ ok: true, report: { previous: tip, verdict: 'pass' } });
    expect(relinked.text).toContain(`| Previous evidence | \`${tip.fileName}\` sha256:${'b'.repeat(64)} |`);
    // A signature over the old bytes would not hold: it is not carried over.
    expect(relinked.companions).toEqual([]);
  });

  it('renames it when its name is taken, and the new name is the one inside it', () => {
    const relinked = relinkEvidence(spooled.text, spooled.name, null, tip, 2);
    expect(relinked.name).toBe('2026-11-29T10-00-00.000Z-api-promote-2.md');
    expect(checkEvidenceText(relinked.text, relinked.name)).toMatchObject({ ok: true, report: { evidence: relinked.name } });
  });

  it('leaves a file already linked to the tip as it is, companions and all', () => {
    const companions = [{ name: `${spooled.name}.intoto.jsonl`, text: 'sig' }];
    expect(relinkEvidence(spooled.text, spooled.name, null, undefined, 1, companions)).toEqual({ ...spooled, companions });
  });
});
