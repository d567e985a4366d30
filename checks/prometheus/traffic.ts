import { z } from 'zod';
import type { EvaluationError } from '../../src/sdk/index.js';
import { queryInstant } from './api.js';
import type { Client } from './client.js';
import { formatNumber } from './series.js';

export const trafficParams = {
  minRequests: z.number().int().min(1).optional().describe('A traffic floor: with fewer requests than this (counted by `requests`) the node is `inconclusive`, neither pass nor fail.'),
  requests: z.string().min(1).optional().describe('PromQL counting the requests the judgement rests on, e.g. `sum(increase(http_requests_total{job="api"}[5m]))`; evaluated at the same instant as the check (a window\'s end).'),
};

export const needsBoth = {
  check: (p: { minRequests?: number | undefined; requests?: string | undefined }) => (p.minRequests === undefined) === (p.requests === undefined),
  message: { message: 'minRequests and requests go together: requests is the PromQL that counts the traffic, minRequests the floor', path: ['minRequests'] },
};

/**
 * Reads the traffic the judgement rests on: a message when it is below the floor (the node is
 * then inconclusive), nothing when it is enough. No traffic series at all is no traffic.
 */
export async function checkTraffic(client: Client, p: { minRequests?: number | undefined; requests?: string | undefined }, at: Date | undefined): Promise<{ below?: string; note?: string } | EvaluationError> {
  if (p.minRequests === undefined || p.requests === undefined) return {};
  const answer = await queryInstant(client, p.requests, at);
  if ('error' in answer) return { error: `requests: ${answer.error}` };
  const { result } = answer;
  let count = 0;
  if (result.type === 'scalar') count = result.value;
  else if (result.type === 'vector') count = result.series.reduce((sum, s) => sum + (Number.isFinite(s.value) ? s.value : 0), 0);
  else return { error: 'requests returns a string, not a count' };
  if (!Number.isFinite(count)) count = 0;
  const note = `traffic: ${formatNumber(count)} requests (minRequests ${p.minRequests})`;
  if (count < p.minRequests) return { below: `only ${formatNumber(count)} requests, fewer than minRequests ${p.minRequests}: too little traffic to judge`, note };
  return { note };
}
