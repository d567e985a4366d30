import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { CheckContext } from '../../src/sdk/index.js';

// Bodies larger than this are not needed to judge a probe; reading stops there.
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

/** One keep-alive agent per protocol for the whole run, so probes reuse connections. */
export function getAgents(ctx: CheckContext): Promise<Agents> {
  return ctx.shared<Agents>(
    'http.agents',
    () => ({ http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }),
    (agents) => {
      agents.http.destroy();
      agents.https.destroy();
    },
  );
}

export interface RequestSpec {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  ca?: string;
  rejectUnauthorized: boolean;
  followRedirects: boolean;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  /** The URL that answered (differs from the request's after redirects). */
  url: URL;
  redirects: number;
}

/**
 * Why a request produced no response. `down`: the service did not answer (refused, DNS,
 * reset) — an observation for a probe. `tls`: it answered with a certificate we cannot
 * trust. `aborted`: our timeout or Ctrl-C. `invalid`: anything else (a malformed response).
 */
export type Failure = { failure: 'down' | 'tls' | 'aborted' | 'invalid'; message: string };

const DOWN_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EADDRNOTAVAIL',
]);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;

export function classifyError(error: NodeJS.ErrnoException, signal: AbortSignal): Failure {
  if (signal.aborted || error.name === 'AbortError') return { failure: 'aborted', message: 'aborted' };
  const code = error.code ?? '';
  if (DOWN_CODES.has(code)) return { failure: 'down', message: `${describeCode(code)} (${error.message})` };
  if (TLS_CODE.test(code)) return { failure: 'tls', message: `${error.message} (${code})` };
  return { failure: 'invalid', message: code ? `${error.message} (${code})` : error.message };
}

function describeCode(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'host not found';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ETIMEDOUT') return 'connection timed out';
  return 'unreachable';
}

/** Sends the request, following redirects when asked. Never throws. */
export async function sendRequest(spec: RequestSpec, agents: Agents, signal: AbortSignal): Promise<Response | Failure> {
  let current = spec;
  for (let redirects = 0; ; redirects++) {
    const result = await sendOnceWithStaleRetry(current, agents, signal);
    if ('failure' in result) return result;
    const location = result.headers.location;
    if (!spec.followRedirects || !isRedirect(result.status) || !location) return { ...result, redirects };
    if (redirects >= MAX_REDIRECTS) return { failure: 'invalid', message: `more than ${MAX_REDIRECTS} redirects (last to ${location})` };
    current = redirectedSpec(current, result.status, new URL(location, current.url));
  }
}

const CROSS_ORIGIN_HEADERS = /^(accept|accept-language|accept-encoding|user-agent|content-type|content-length|cache-control)$/i;

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function redirectedSpec(spec: RequestSpec, status: number, next: URL): RequestSpec {
  const headers = { ...spec.headers };
  // Credentials stay with the origin they were written for. Any header may carry one
  // (X-Api-Key, X-Auth-Token, ...), so another origin gets only content negotiation.
  if (next.origin !== spec.url.origin) {
    for (const name of Object.keys(headers)) if (!CROSS_ORIGIN_HEADERS.test(name)) delete headers[name];
  }
  const keepsMethod = status === 307 || status === 308 || spec.method === 'HEAD';
  if (keepsMethod) return { ...spec, url: next, headers };
  for (const name of Object.keys(headers)) if (/^content-(type|length)$/i.test(name)) delete headers[name];
  return { ...spec, url: next, headers, method: 'GET', body: undefined };
}

/**
 * A kept-alive socket may have been closed by the server just as we reuse it; that reset is
 * ours, not the service's. Retry once on a fresh socket, for methods that change nothing.
 */
async function sendOnceWithStaleRetry(spec: RequestSpec, agents: Agents, signal: AbortSignal): Promise<Omit<Response, 'redirects'> | Failure> {
  const first = await sendOnce(spec, agents, signal);
  if ('stale' in first && first.stale && (spec.method === 'GET' || spec.method === 'HEAD')) {
    const second = await sendOnce(spec, agents, signal);
    return stripStale(second);
  }
  return stripStale(first);
}

type Attempt = Omit<Response, 'redirects'> | (Failure & { stale?: boolean });

function stripStale(attempt: Attempt): Omit<Response, 'redirects'> | Failure {
  if ('failure' in attempt) return { failure: attempt.failure, message: attempt.message };
  return attempt;
}

function sendOnce(spec: RequestSpec, agents: Agents, signal: AbortSignal): Promise<Attempt> {
  return new Promise((resolve) => {
    const isHttps = spec.url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': 'rollout', ...spec.headers };
    if (spec.body && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(spec.body.length);
    }
    const options: https.RequestOptions = {
      method: spec.method,
      headers,
      signal,
      agent: isHttps ? agents.https : agents.http,
      ...(isHttps ? { rejectUnauthorized: spec.rejectUnauthorized, ca: spec.ca } : {}),
    };
    const request = (isHttps ? https : http).request(spec.url, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = (): void =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), truncated, url: spec.url });
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          truncated = true;
          response.destroy();
          finish();
        }
      });
      response.on('end', () => !truncated && finish());
      response.on('error', (error: NodeJS.ErrnoException) => !truncated && resolve(classifyError(error, signal)));
      response.on('aborted', () => !truncated && resolve(classifyError(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }), signal)));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const failure = classifyError(error, signal);
      resolve({ ...failure, stale: request.reusedSocket && failure.failure === 'down' });
    });
    request.end(spec.body);
  });
}
