import { describe, expect, it } from 'vitest';
import { renderEvidenceBody, type EvidenceMeta } from '../../src/evidence/render.js';
import { runResult } from './fixture.js';

const META: EvidenceMeta = { fileName: 'x.md', user: 'ci', host: 'runner-1', ci: 'none', commandLine: 'rollout check --env staging', edges: [] };

// What a script's output may hold: colour, cursor movement, line erase, an OSC-8 hyperlink,
// a window title, BEL, a carriage-return progress bar, and the 8-bit CSI form.
const NOISY = '\u001b[31mred\u001b[0m \u001b[1A\u001b[2Kerased \u001b]8;;https://ci.example/run/1\u0007the run\u001b]8;;\u0007 \u001b]0;title\u0007bell\u0007 50%\r100% \u009b1mbold\u009b0m';
const CLEAN = 'red erased the run bell 50%100% bold';
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function markdownPart(body: string): string {
  return body.slice(0, body.indexOf('## Report'));
}

describe('evidence: no terminal control sequences in the Markdown', () => {
  const result = runResult([{
    id: 'script',
    title: `Backup script ${NOISY}`,
    status: 'fail',
    observed: NOISY,
    expected: '== ok',
    message: `observed ${NOISY}`,
    reasons: [`reason ${NOISY}`],
    outputs: { line: NOISY },
    details: { excerpt: `stdout:\n${NOISY}\n`, log: `log ${NOISY}`, summary: `window ${NOISY}`, notes: [`note ${NOISY}`], rows: [{ name: NOISY }] },
    samples: [{ at: '2026-11-29T10:00:00.000Z', observed: NOISY, status: 'fail' }],
  }]);
  const body = renderEvidenceBody(result, META);

  it('strips colour, cursor codes, OSC-8 links, titles and BEL from output, messages and tables', () => {
    const markdown = markdownPart(body);
    expect(markdown).not.toMatch(TERMINAL_CONTROLS);
    expect(markdown).toContain(`- Result: observed ${CLEAN}`);
    expect(markdown).toContain(`  - reason ${CLEAN}`);
    expect(markdown).toContain(`- note ${CLEAN}`);
    expect(markdown).toContain(`Window: window ${CLEAN}`);
    expect(markdown).toContain(`stdout:\n${CLEAN}\n`);
    expect(markdown).toContain(`Backup script ${CLEAN}`);
    expect(markdown).toContain(`| ${CLEAN} |`);
  });

  it('keeps the JSON report exact (later runs read it back), with no raw control character in the file', () => {
    expect(body).not.toMatch(TERMINAL_CONTROLS);
    const json = body.slice(body.indexOf('```json\n{', body.indexOf('## Report')) + 8, body.lastIndexOf('```'));
    const report = JSON.parse(json);
    expect(report.nodes[0].observed).toBe(NOISY);
    expect(report.nodes[0].outputs.line).toBe(NOISY);
  });
});
