/**
 * The Mann-Whitney U test by its normal approximation, computed as scipy's
 * `mannwhitneyu(x, y, alternative, use_continuity=True, method="asymptotic")` does: ranks
 * with ties averaged, the variance reduced by Σ(t³ − t), 0.5 of continuity correction, and
 * U reported for `x` (U1) whatever the alternative.
 */
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: how often an x is above a y (ties count half). */
  u: number;
  p: number;
  z: number;
}

export function testMannWhitney(x: number[], y: number[], alternative: Alternative): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  const { ranks, tieTerm } = rankWithTies([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  const sides = alternative === 'two-sided' ? 2 : 1;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // All values tied: no evidence either way (scipy's z is −∞ here, so p is 1).
  const z = sd === 0 ? -Infinity : (u - (n1 * n2) / 2 - 0.5) / sd;
  const p = Math.min(1, Math.max(0, normalSurvival(z) * sides));
  return { u: u1, p, z };
}

/** 1-based ranks of `values`, ties given their average rank, and Σ(t³ − t) over tie groups. */
export function rankWithTies(values: number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end]!.value === order[start]!.value) end++;
    const average = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!.index] = average;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  return { ranks, tieTerm };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** P(Z > z) for a standard normal Z. */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z >= 0 ? erfc(z / Math.SQRT2) / 2 : 1 - erfc(-z / Math.SQRT2) / 2;
}

/**
 * erfc for x ≥ 0 to about double precision: below 3 as 1 − erf by the all-positive series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (no cancellation), above it by
 * the Laplace continued fraction, evaluated with the modified Lentz method.
 */
function erfc(x: number): number {
  if (x === Infinity) return 0;
  if (x < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
