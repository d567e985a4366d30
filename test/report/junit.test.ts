import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reporters } from '../../src/report/reporters.js';
import { runResult } from './fixture.js';

/** Parses the file with a real XML 1.0 parser (Python's expat); throws with its message when not well-formed. */
function parseXml(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rollout-junit-')), 'report.xml');
  writeFileSync(file, xml);
  return execFileSync('python3', ['-c', 'import xml.dom.minidom,sys; d=xml.dom.minidom.parse(sys.argv[1]); sys.stdout.write(d.toxml())', file], { encoding: 'utf8' });
}

describe('junit: well-formed XML whatever a check printed', () => {
  it('strips what XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates, C0 controls) and keeps the rest', () => {
    const noisy = 'tail\uFFFE of\uFFFF a \uD800binary\u0001 file \u{1F680} ok\ttab';
    const result = runResult([
      { id: 'dump', status: 'fail', observed: noisy, expected: '== ok', message: `observed ${noisy}` },
      { id: 'title', title: `weird\uFFFF title`, status: 'error', message: 'no data\uDFFF' },
    ]);
    const xml = reporters.junit(result);
    const parsed = parseXml(xml);
    expect(parsed).toContain('tail of a binary file \u{1F680} ok\ttab');
    expect(parsed).toContain('weird title');
    expect(xml).not.toMatch(/[\uFFFE\uFFFF]/);
  });

  it('drops terminal colour and cursor codes rather than leaving their remains', () => {
    const result = runResult([{ id: 'coloured', status: 'fail', message: '\u001b[31mred\u001b[0m \u001b[2K\u001b]8;;https://x.example\u0007link\u001b]8;;\u0007 done' }]);
    const parsed = parseXml(reporters.junit(result));
    expect(parsed).toContain('message="red link done"');
  });
});

describe('junit: where each node is written', () => {
  it('a located node carries file and line; one without a position has neither attribute', () => {
    const xml = reporters.junit(runResult([
      { id: 'located', status: 'fail', message: 'no', source: { file: 'playbooks/api.yaml', line: 12, column: 5 } },
      { id: 'unlocated', status: 'pass' },
    ]));
    expect(parseXml(xml)).toContain('file="playbooks/api.yaml" line="12"');
    expect(xml).toContain('defined at playbooks/api.yaml:12:5');
    expect(xml).toMatch(/<testcase [^>]*name="unlocated: [^"]*" time=/);
  });
});
