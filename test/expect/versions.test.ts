import { describe, expect, it } from 'vitest';
import { judge, parseExpect, type JudgeOptions } from '../../src/expect/index.js';
import type { Observed } from '../../src/sdk/types.js';

function judged(expectText: string, observed: Observed, options: JudgeOptions = {}) {
  const parsed = parseExpect(expectText);
  if (!parsed.ok) throw new Error(parsed.message);
  return judge(parsed.expectation, observed, options);
}
const status = (expectText: string, observed: Observed, options: JudgeOptions = {}) => judged(expectText, observed, options).status;

describe('expect: version comparisons fail closed', () => {
  it('a pre-release is below its release', () => {
    expect(status('>= 2.0.0', '2.0.0-rc.1')).toBe('fail');
    expect(status('>= 2.0.0-rc.1', '2.0.0')).toBe('pass');
    expect(status('< 2.0.0', '2.0.0-rc.1')).toBe('pass');
  });

  it('a two-part operand not in canonical decimal form is a version (1.10 is not 1.1)', () => {
    expect(status('>= 1.10', '1.9')).toBe('fail');
    expect(status('>= 1.10', '1.10')).toBe('pass');
    expect(status('== 2.0', '2.0.0')).toBe('pass');
    expect(status('>= 1.10', '1.11.2')).toBe('pass');
  });

  it('observed text that is not a version is an error, never a pass', () => {
    const result = judged('>= 2.0.0', 'release-2024.01 (build 1.0.0)');
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/not a version/);
    expect(status('>= 2.0.0', 'latest')).toBe('error');
    expect(status('>= 1.10', '')).toBe('error');
  });

  it('an observed number is not a version unless the kind observes versions', () => {
    expect(status('>= 1.10', 1.9)).toBe('error');
    expect(status('>= 15', 16, { versions: true })).toBe('pass');
  });

  it('a kind that observes a version compares plain numbers as versions (postgres.version)', () => {
    expect(status('> 15.9', '15.10', { versions: true })).toBe('pass');
    expect(status('>= 15', '15.10', { versions: true })).toBe('pass');
    expect(status('>= 16', '15.10', { versions: true })).toBe('fail');
    expect(status('>= 15', 'not a version', { versions: true })).toBe('error');
  });

  it('canonical decimals stay numbers', () => {
    expect(status('<= 0.05', 0.05)).toBe('pass');
    expect(status('<= 0.05', '0.0501')).toBe('fail');
    expect(status('>= 1.5', 1.25)).toBe('fail'); // as versions 1.25.0 would be above 1.5.0
    expect(status('< 2', 1.9)).toBe('pass');
  });

  it('refuses an operand written as a version that semver cannot read', () => {
    const parsed = parseExpect('>= 1.2.3.4');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/version/);
    expect(parseExpect('<= 0.050').ok).toBe(false); // reads as a version with a leading zero; 0.05 compares numbers
  });

  // semver's own ordering: each pair is (greater, lesser).
  it.each([
    ['0.0.0', '0.0.0-foo'], ['0.0.1', '0.0.0'], ['1.0.0', '0.9.9'], ['0.10.0', '0.9.0'], ['0.99.0', '0.10.0'],
    ['2.0.0', '1.2.3'], ['v0.0.0', '0.0.0-foo'], ['v1.0.0', '0.9.9'], ['v0.10.0', '0.9.0'], ['1.2.3', '1.2.3-asdf'],
    ['1.2.3', '1.2.3-4'], ['1.2.3', '1.2.3-4-foo'], ['1.2.3-5-foo', '1.2.3-5'], ['1.2.3-5', '1.2.3-4'],
    ['1.2.3-5-foo', '1.2.3-5-Foo'], ['3.0.0', '2.7.2+asdf'], ['1.2.3-a.10', '1.2.3-a.5'], ['1.2.3-a.b', '1.2.3-a.5'],
    ['1.2.3-a.b', '1.2.3-a'], ['1.2.3-a.b.c.10.d.5', '1.2.3-a.b.c.5.d.100'], ['1.2.3-r2', '1.2.3-r100'], ['1.2.3-r100', '1.2.3-R2'],
  ])('%s > %s', (greater, lesser) => {
    expect(status(`> ${lesser}`, greater)).toBe('pass');
    expect(status(`< ${greater}`, lesser)).toBe('pass');
    expect(status(`>= ${greater}`, lesser)).toBe('fail');
    expect(status(`== ${lesser}`, greater)).toBe('fail');
  });

  it.each([['1.2.3', 'v1.2.3'], ['1.2.3+build.5', '1.2.3'], ['1.9.0', '1.9'], ['v2', '2.0.0']])('%s == %s (build metadata ignored, missing parts are zero)', (a, b) => {
    expect(status(`== ${a}`, b)).toBe('pass');
    expect(status(`!= ${a}`, b)).toBe('fail');
  });
});
