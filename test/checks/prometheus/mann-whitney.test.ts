import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { type Alternative, median, testMannWhitney } from '../../../checks/prometheus/mann-whitney.js';
import { seededRandom as seeded } from '../../helpers/seeded-random.js';

interface Case {
  x: number[];
  y: number[];
  alternative: Alternative;
}

/** scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True) on the same samples: the reference. */
function scipyReference(cases: Case[]): Array<{ u: number; p: number }> {
  const script = [
    'import json, sys',
    'from scipy.stats import mannwhitneyu',
    'out = []',
    'for c in json.load(sys.stdin):',
    '    r = mannwhitneyu(c["x"], c["y"], alternative=c["alternative"], use_continuity=True, method="asymptotic")',
    '    out.append({"u": float(r.statistic), "p": float(r.pvalue)})',
    'print(json.dumps(out))',
  ].join('\n');
  const stdout = execFileSync('python3', ['-W', 'ignore', '-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  return JSON.parse(stdout) as Array<{ u: number; p: number }>;
}


function randomCases(count: number, seed: number): Case[] {
  const random = seeded(seed);
  const alternatives: Alternative[] = ['two-sided', 'greater', 'less'];
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const n1 = 2 + Math.floor(random() * 80);
    const n2 = 2 + Math.floor(random() * 80);
    const shift = (random() - 0.5) * 2;
    // Every third case rounds to a coarse grid: many ties, as latencies scraped at 1 ms are.
    const coarse = i % 3 === 0;
    const draw = (offset: number) => {
      const value = offset + random() * 3;
      return coarse ? Math.round(value * 2) / 2 : value;
    };
    cases.push({ x: Array.from({ length: n1 }, () => draw(shift)), y: Array.from({ length: n2 }, () => draw(0)), alternative: alternatives[i % 3]! });
  }
  return cases;
}

describe('the Mann-Whitney U test matches scipy.stats.mannwhitneyu(method="asymptotic")', () => {
  test('300 seeded random cases (sizes 2..81, a third heavily tied, all three alternatives) agree on U and p to 1e-9', () => {
    const cases = randomCases(300, 20261129);
    const reference = scipyReference(cases);
    cases.forEach((c, i) => {
      const ours = testMannWhitney(c.x, c.y, c.alternative);
      expect(ours.u, `case ${i} U`).toBeCloseTo(reference[i]!.u, 9);
      expect(Math.abs(ours.p - reference[i]!.p), `case ${i} p: ours ${ours.p}, scipy ${reference[i]!.p}`).toBeLessThan(1e-9);
    });
  });

  test('hand-picked cases: ties across samples, all equal, a complete separation, tiny p in the tail', () => {
    const cases: Case[] = [
      { x: [1, 2, 2, 3, 3, 3, 4], y: [2, 3, 3, 4, 5, 5, 6, 7], alternative: 'two-sided' },
      { x: [1, 2, 2, 3, 3, 3, 4], y: [2, 3, 3, 4, 5, 5, 6, 7], alternative: 'less' },
      { x: [1, 2, 2, 3, 3, 3, 4], y: [2, 3, 3, 4, 5, 5, 6, 7], alternative: 'greater' },
      { x: [5, 5, 5, 5], y: [5, 5, 5], alternative: 'two-sided' },
      { x: Array.from({ length: 60 }, (_, i) => 100 + i), y: Array.from({ length: 60 }, (_, i) => i), alternative: 'greater' },
      { x: Array.from({ length: 60 }, (_, i) => 100 + i), y: Array.from({ length: 60 }, (_, i) => i), alternative: 'less' },
    ];
    const reference = scipyReference(cases);
    cases.forEach((c, i) => {
      const ours = testMannWhitney(c.x, c.y, c.alternative);
      expect(ours.u).toBeCloseTo(reference[i]!.u, 9);
      expect(Math.abs(ours.p - reference[i]!.p), `case ${i}: ours ${ours.p}, scipy ${reference[i]!.p}`).toBeLessThan(1e-12);
      // Relative agreement in the far tail, where an absolute tolerance says nothing.
      if (reference[i]!.p > 0) expect(Math.abs(ours.p / reference[i]!.p - 1)).toBeLessThan(1e-9);
    });
  });

  test('reference values printed by scipy 1.17.1 (kept here so they hold without python3)', () => {
    // mannwhitneyu([1,2,2,3,3,3,4], [2,3,3,4,5,5,6,7], method="asymptotic") → U=10.5, p=0.04393680322463132;
    // with alternative="less" → U=10.5, p=0.02196840161231566.
    const x = [1, 2, 2, 3, 3, 3, 4];
    const y = [2, 3, 3, 4, 5, 5, 6, 7];
    expect(testMannWhitney(x, y, 'two-sided').u).toBe(10.5);
    expect(testMannWhitney(x, y, 'two-sided').p).toBeCloseTo(0.04393680322463132, 12);
    expect(testMannWhitney(x, y, 'less').p).toBeCloseTo(0.02196840161231566, 12);
  });

  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
