/**
 * The steps a window's range query evaluates at: `to`, and every `stepMs` back to `from` —
 * the grid Prometheus itself uses for a range query anchored on its end.
 */
export function windowSteps(fromMs: number, toMs: number, stepMs: number): number[] {
  if (!(stepMs > 0) || toMs < fromMs) return [toMs];
  const count = Math.floor((toMs - fromMs) / stepMs);
  return Array.from({ length: count + 1 }, (_, i) => toMs - (count - i) * stepMs);
}

/**
 * The steps of the window that have no sample, described — or undefined when every step has
 * one. Exact, with no slack: a missing first or last step is a gap like any other, so a
 * window is judged on all of its steps or not at all (a trigger on a series younger than its
 * `for:` does not fire, as Prometheus keeps such an alert pending). A sample counts for the
 * step it is nearest to, within half a step (kinds that round timestamps still line up).
 */
export function findGap(times: number[], fromMs: number, toMs: number, stepMs: number): string | undefined {
  const steps = windowSteps(fromMs, toMs, stepMs);
  if (!times.length) return `the window has no samples (${steps.length} steps from ${iso(steps[0]!)} to ${iso(toMs)})`;
  const sorted = [...times].sort((a, b) => a - b);
  const missing: number[] = [];
  let next = 0;
  for (const step of steps) {
    while (next < sorted.length && sorted[next]! < step - stepMs / 2) next++;
    if (next < sorted.length && Math.abs(sorted[next]! - step) <= stepMs / 2) next++;
    else missing.push(step);
  }
  if (!missing.length) return undefined;
  return `${missing.length} of ${steps.length} steps have no sample, first at ${iso(missing[0]!)}${missing.length > 1 ? `, last at ${iso(missing[missing.length - 1]!)}` : ''}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
