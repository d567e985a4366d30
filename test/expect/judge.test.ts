import { describe, expect, it } from 'vitest';
import { judge, parseExpect } from '../../src/expect/index.js';
import type { Observed } from '../../src/sdk/types.js';

function status(expectText: string, observed: Observed, options: Parameters<typeof judge>[2] = {}) {
  const parsed = parseExpect(expectText);
  if (!parsed.ok) throw new Error(parsed.message);
  return judge(parsed.expectation, observed, options).status;
}

describe('expect: comparisons on numbers', () => {
  it.each([
    ['<= 0.05', 0.05, 'pass'], ['<= 0.05', 0.0501, 'fail'], ['< 1', 1, 'fail'], ['> 2', 3, 'pass'],
    ['>= 150000', 150004, 'pass'], ['== 0', 0, 'pass'], ['!= 0', 0, 'fail'], ['>= -1.5', -2, 'fail'], ['<= 1e3', 999, 'pass'],
  ] as const)('%s with %s → %s', (text, observed, want) => expect(status(text, observed)).toBe(want));

  it('compares a numeral observed as text as a number (SHOW returns "50")', () => {
    expect(status('>= 40', '50')).toBe('pass');
    expect(status('>= 40', '9')).toBe('fail'); // as strings "9" > "40"; as numbers it fails
  });

  it('converts units to seconds and bytes', () => {
    expect(status('< 250ms', 0.2)).toBe('pass');
    expect(status('< 250ms', 0.3)).toBe('fail');
    expect(status('<= 5m', 300)).toBe('pass');
    expect(status('>= 4GB', 4 * 1024 ** 3, { unit: 'bytes' })).toBe('pass');
    expect(status('>= 4GB', 3 * 1024 ** 3, { unit: 'bytes' })).toBe('fail');
    expect(status('< 1%', 0.005)).toBe('pass');
  });

  it('refuses to compare seconds with bytes', () => {
    expect(status('< 250ms', 100, { unit: 'bytes' })).toBe('error');
  });
});

describe('expect: fail closed', () => {
  it.each([[NaN], [Infinity], [-Infinity], [null]])('%s is an error, never a pass', (observed) => {
    expect(status('<= 0.05', observed as Observed)).toBe('error');
    expect(status('> 0', observed as Observed)).toBe('error');
  });
  it('an empty list is an error unless the node says onEmpty', () => {
    expect(status('<= 1', [])).toBe('error');
    expect(status('<= 1', [], { onEmpty: 'pass' })).toBe('pass');
    expect(status('<= 1', null, { onEmpty: 'fail' })).toBe('fail');
  });
  it('a word observed against a number is an error, not a fail', () => {
    expect(status('>= 1', 'unknown')).toBe('error');
  });
  it('NaN as text ("NaN" from a query) is an error', () => {
    expect(status('<= 1', 'NaN')).toBe('error');
  });
});

describe('expect: versions, booleans, strings, in, regex', () => {
  it('compares versions as versions, not as text or decimals', () => {
    expect(status('>= 2.0.0', '2.10.1')).toBe('pass');
    expect(status('>= 2.10.0', '2.9.9')).toBe('fail');
    expect(status('>= v1.2', 'v1.10')).toBe('pass');
    expect(status('>= 15', '15.4 (Debian 15.4-1.pgdg120+1)', { versions: true })).toBe('pass');
    expect(status('>= 15.10', '15.9', { versions: true })).toBe('fail');
  });
  it('booleans', () => {
    expect(status('== true', true)).toBe('pass');
    expect(status('== false', true)).toBe('fail');
    expect(status('== true', 'yes')).toBe('error');
  });
  it('strings, bare and quoted', () => {
    expect(status('== on', 'on')).toBe('pass');
    expect(status('== on', 'off')).toBe('fail');
    expect(status('== "a b"', 'a b')).toBe('pass');
    expect(status('!= latest', 'v1.2.3')).toBe('pass');
  });
  it('in [..]', () => {
    expect(status('in [Running, Succeeded]', 'Running')).toBe('pass');
    expect(status('in [Running, Succeeded]', 'Pending')).toBe('fail');
    expect(status('in [200, 204]', 204)).toBe('pass');
    expect(status('in ["a, b", c]', 'a, b')).toBe('pass');
  });
  it('=~ /regex/', () => {
    expect(status('=~ /^v\\d+\\.\\d+\\.\\d+$/', 'v1.2.3')).toBe('pass');
    expect(status('=~ /^v\\d+\\.\\d+\\.\\d+$/', 'latest')).toBe('fail');
    expect(status('=~ /ok/i', 'OK')).toBe('pass');
  });
});

describe('expect: lists', () => {
  const series = [{ name: 'a', value: 0.01 }, { name: 'b', value: 0.2 }];
  it('all elements by default, naming the offenders', () => {
    const parsed = parseExpect('<= 0.05');
    if (!parsed.ok) throw new Error();
    const judgement = judge(parsed.expectation, series);
    expect(judgement.status).toBe('fail');
    expect(judgement.offenders).toEqual(['b = 0.2']);
  });
  it('any', () => expect(status('<= 0.05', series, { quantifier: 'any' })).toBe('pass'));
  it('a NaN element makes the whole observation an error', () => {
    expect(status('<= 0.05', [{ name: 'a', value: 0.01 }, { name: 'b', value: NaN }])).toBe('error');
  });
});

describe('expect: grammar errors', () => {
  it.each(['', '<=', '=> 1', 'about 5', '< 5 parsecs', '=~ /(/', 'in [a, b', '< on', '> true'])('"%s" is rejected with a hint', (text) => {
    const parsed = parseExpect(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.hint.length).toBeGreaterThan(5);
  });
});
