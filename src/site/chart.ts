import { esc } from './html.js';

export interface ChartSample {
  at: string;
  observed: unknown;
  status: string;
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 56, right: 16, top: 16, bottom: 28 };

/** The number an `expect` compares against (`< 0.05`, `value >= 99.5`), when it has one. */
export function readThreshold(expected: string | null | undefined): { op: string; value: number } | undefined {
  const match = /(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(expected ?? '');
  return match ? { op: match[1]!, value: Number(match[2]) } : undefined;
}

/** The numbers of one sample by series: a plain number, or `[{name, value}]` (a vector). */
function seriesOf(observed: unknown): Array<[string, number]> {
  if (typeof observed === 'number' && Number.isFinite(observed)) return [['value', observed]];
  if (Array.isArray(observed)) return observed.flatMap((o: { name?: unknown; value?: unknown }) => (typeof o?.value === 'number' && Number.isFinite(o.value) ? [[String(o.name ?? 'value'), o.value] as [string, number]] : []));
  return [];
}

/**
 * A window's samples against its threshold, as inline SVG: one point per sample (failing ones
 * marked), a line per series, the threshold dashed. Undefined when there is nothing numeric.
 */
export function renderWindowChart(nodeId: string, samples: ChartSample[], expected: string | null | undefined): string | undefined {
  const points = samples.map((s, i) => ({ i, sample: s, series: seriesOf(s.observed) }));
  const values = points.flatMap((p) => p.series.map(([, v]) => v));
  if (!values.length) return undefined;
  const threshold = readThreshold(expected);
  const all = threshold ? [...values, threshold.value] : values;
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (min === max) [min, max] = [min - 1, max + 1];
  const span = max - min;
  min -= span * 0.08;
  max += span * 0.08;
  const x = (i: number) => PAD.left + (samples.length === 1 ? (WIDTH - PAD.left - PAD.right) / 2 : (i * (WIDTH - PAD.left - PAD.right)) / (samples.length - 1));
  const y = (v: number) => PAD.top + ((max - v) * (HEIGHT - PAD.top - PAD.bottom)) / (max - min);
  const names = [...new Set(points.flatMap((p) => p.series.map(([n]) => n)))];
  const parts: string[] = [];
  parts.push(`<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}"/>`, `<line class="axis" x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}"/>`);
  parts.push(`<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${esc(round(max))}</text>`, `<text x="${PAD.left - 6}" y="${HEIGHT - PAD.bottom}" text-anchor="end">${esc(round(min))}</text>`);
  parts.push(`<text x="${PAD.left}" y="${HEIGHT - 8}">${esc(samples[0]!.at)}</text>`, `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end">${esc(samples[samples.length - 1]!.at)}</text>`);
  for (const name of names) {
    const line = points.flatMap((p) => p.series.filter(([n]) => n === name).map(([, v]) => `${x(p.i).toFixed(1)},${y(v).toFixed(1)}`));
    parts.push(`<polyline class="series" data-series="${esc(name)}" points="${line.join(' ')}"/>`);
  }
  if (threshold) {
    const ty = y(threshold.value).toFixed(1);
    parts.push(`<line class="threshold" data-value="${threshold.value}" x1="${PAD.left}" y1="${ty}" x2="${WIDTH - PAD.right}" y2="${ty}"/>`, `<text x="${WIDTH - PAD.right}" y="${Number(ty) - 4}" text-anchor="end">${esc(`${threshold.op} ${threshold.value}`)}</text>`);
  }
  for (const p of points) {
    for (const [name, v] of p.series) {
      parts.push(`<circle class="sample ${esc(p.sample.status)}" data-status="${esc(p.sample.status)}" cx="${x(p.i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${esc(`${p.sample.at} ${name}=${v} (${p.sample.status})`)}</title></circle>`);
    }
  }
  const failing = samples.filter((s) => s.status !== 'pass').length;
  const label = `${nodeId}: ${samples.length} samples, ${failing} failing${threshold ? `, threshold ${threshold.op} ${threshold.value}` : ''}`;
  return `<svg class="chart" data-node="${esc(nodeId)}" data-samples="${samples.length}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>${parts.join('')}</svg>`;
}

function round(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
