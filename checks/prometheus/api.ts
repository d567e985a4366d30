import type { EvaluationError } from '../../src/sdk/index.js';
import { type Client, readJson } from './client.js';
import { type Labels, type Series, type WindowSeries, parseSampleValue, seriesName } from './series.js';

export type InstantResult =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; series: Array<Series & { value: number }> };

export interface QueryAnswer<T> {
  result: T;
  /** Prometheus' warnings and infos (e.g. "metric might not be a counter"). */
  warnings: string[];
}

function toSeconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

async function callApi(client: Client, path: string, form: URLSearchParams): Promise<{ data: any; warnings: string[] } | EvaluationError> {
  // POST keeps long queries out of URL length limits; Prometheus accepts both.
  const response = await client.request(path, { form });
  if ('error' in response) return response;
  const read = readJson(client, path, response);
  if ('error' in read) return read;
  const body = read.json as { status?: string; data?: unknown; warnings?: string[]; infos?: string[] };
  if (body.status !== 'success' || body.data === undefined) return { error: `unexpected answer from ${client.displayUrl}${path}: no data` };
  return { data: body.data, warnings: [...(body.warnings ?? []), ...(body.infos ?? [])] };
}

/** An instant query, at `time` when given (`--at`), otherwise at Prometheus' now. */
export async function queryInstant(client: Client, query: string, time?: Date): Promise<QueryAnswer<InstantResult> | EvaluationError> {
  const form = new URLSearchParams({ query });
  if (time) form.set('time', toSeconds(time));
  const answer = await callApi(client, '/api/v1/query', form);
  if ('error' in answer) return answer;
  const { resultType, result } = answer.data as { resultType?: string; result?: unknown };
  switch (resultType) {
    case 'scalar':
      return { result: { type: 'scalar', value: parseSampleValue((result as [number, string])[1]) }, warnings: answer.warnings };
    case 'string':
      return { result: { type: 'string', value: String((result as [number, string])[1]) }, warnings: answer.warnings };
    case 'vector': {
      const series = (result as Array<{ metric: Labels; value?: [number, string] }>).map((s) => ({
        name: seriesName(s.metric),
        labels: withoutName(s.metric),
        // A native histogram sample has no `value`; it cannot be compared with a number.
        value: s.value ? parseSampleValue(s.value[1]) : NaN,
      }));
      return { result: { type: 'vector', series }, warnings: answer.warnings };
    }
    case 'matrix':
      return { error: 'the query returns a range vector (e.g. `metric[5m]`): wrap it in a function such as rate() or max_over_time()' };
    default:
      return { error: `unexpected result type "${String(resultType)}" from ${client.displayUrl}` };
  }
}

/** The timestamps a range query evaluates at: `end`, and every `stepMs` back to `start`. */
export function rangeTimestamps(from: Date, to: Date, stepMs: number): number[] {
  const end = to.getTime();
  const count = Math.floor((end - from.getTime()) / stepMs);
  return Array.from({ length: count + 1 }, (_, i) => end - (count - i) * stepMs);
}

/** One range query; the steps are anchored on `to`, so the newest sample is exactly `to`. */
export async function queryRange(
  client: Client,
  query: string,
  timestampsMs: number[],
  stepMs: number,
): Promise<QueryAnswer<WindowSeries[]> | EvaluationError> {
  const form = new URLSearchParams({
    query,
    start: (timestampsMs[0]! / 1000).toFixed(3),
    end: (timestampsMs[timestampsMs.length - 1]! / 1000).toFixed(3),
    step: `${stepMs / 1000}`,
  });
  const answer = await callApi(client, '/api/v1/query_range', form);
  if ('error' in answer) return answer;
  const { resultType, result } = answer.data as { resultType?: string; result?: unknown };
  if (resultType !== 'matrix') return { error: `unexpected result type "${String(resultType)}" for a range query` };
  const series = (result as Array<{ metric: Labels; values?: Array<[number, string]> }>).map(
    (s): WindowSeries => ({
      name: seriesName(s.metric),
      labels: withoutName(s.metric),
      points: new Map((s.values ?? []).map(([at, value]) => [Math.round(at * 1000), parseSampleValue(value)])),
    }),
  );
  return { result: series, warnings: answer.warnings };
}

function withoutName(labels: Labels): Labels {
  const { __name__: _name, ...rest } = labels;
  return rest;
}

/** Prometheus refuses more than 11,000 points per series; stay well under it. */
const MAX_POINTS = 10_000;
/** The usual scrape interval: a finer step sees nothing more, a coarser one can miss a spike. */
const FINEST_USEFUL_STEP_MS = 15_000;

/**
 * The step of a window's range query: the node's `step` when given, else the core's step capped
 * at 15 s — so a two-minute spike is seen by several samples.
 */
export function chooseStep(requestedMs: number | undefined, window: { from: Date; to: Date; stepMs: number }): number {
  const spanMs = window.to.getTime() - window.from.getTime();
  const base = requestedMs ?? Math.min(window.stepMs > 0 ? window.stepMs : FINEST_USEFUL_STEP_MS, FINEST_USEFUL_STEP_MS);
  return Math.max(base, Math.ceil(spanMs / MAX_POINTS / 1000) * 1000);
}
