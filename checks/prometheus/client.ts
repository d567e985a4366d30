import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { CheckContext, EvaluationError } from '../../src/sdk/index.js';
import { loadCa, maskUrl } from '../../src/sdk/index.js';
import prometheusSystem from './system.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A response larger than this is refused rather than buffered (a runaway query). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export type Target = 'prometheus' | 'alertmanager';

export interface Response {
  status: number;
  body: string;
  contentType: string;
}

/** A connection to one Prometheus (or its Alertmanager) for one node's attempt. */
export interface Client {
  /** The base URL with any password masked: safe for evidence and messages. */
  displayUrl: string;
  target: Target;
  /** GET (`form` and `json` absent), or POST a form or a JSON body (Alertmanager's test alert); errors are values, never thrown. */
  request(path: string, options?: { query?: URLSearchParams; form?: URLSearchParams; json?: unknown }): Promise<Response | EvaluationError>;
}

/**
 * The client for the node's `prometheus` connection. The HTTP agent (keep-alive sockets) is
 * created once per run and TLS configuration, through `ctx.shared`, so a playbook of fifty
 * queries opens a handful of connections, not fifty.
 */
export async function connect(ctx: CheckContext, target: Target = 'prometheus'): Promise<Client | EvaluationError> {
  const connection = prometheusSystem.connectionOf(ctx);
  if ('error' in connection) return connection;
  const settings = connection.settings;
  const base = target === 'alertmanager' ? settings.alertmanagerUrl : settings.url;
  if (!base) return { error: 'source: alertmanager needs `alertmanagerUrl` in the environment\'s prometheus connection' };
  const baseUrl = new URL(base);
  const ca = await loadCa(settings.tls?.ca, ctx.cwd);
  if (typeof ca === 'object') return ca;
  const https = baseUrl.protocol === 'https:';
  const insecureSkipVerify = settings.tls?.insecureSkipVerify === true;
  const headers = settings.headers ?? {};
  const requestTimeoutMs = settings.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const agentKey = `prometheus.agent ${https ? 'https' : 'http'} ${insecureSkipVerify} ${ca ?? ''}`;
  const agent = await ctx.shared<HttpAgent>(
    agentKey,
    async () => {
      const options = { keepAlive: true, maxSockets: 16 };
      if (!https) return new (await import('node:http')).Agent(options);
      return new (await import('node:https')).Agent({ ...options, rejectUnauthorized: !insecureSkipVerify, ...(ca ? { ca } : {}) });
    },
    (value) => value.destroy(),
  );
  // Paths are appended to it: no trailing slash.
  const displayUrl = maskUrl(baseUrl).replace(/\/$/, '');
  return {
    displayUrl,
    target,
    request: (path, options = {}) =>
      send({ baseUrl, path, options, agent, headers, ctx, requestTimeoutMs, displayUrl, target }),
  };
}

interface SendArgs {
  baseUrl: URL;
  path: string;
  options: { query?: URLSearchParams; form?: URLSearchParams; json?: unknown };
  agent: HttpAgent;
  headers: Record<string, string>;
  ctx: CheckContext;
  requestTimeoutMs: number;
  displayUrl: string;
  target: Target;
}

async function send(args: SendArgs): Promise<Response | EvaluationError> {
  const { ctx, requestTimeoutMs } = args;
  const requestTimeout = AbortSignal.timeout(requestTimeoutMs);
  const signal = AbortSignal.any([ctx.signal, requestTimeout]);
  const url = new URL(args.baseUrl.href.replace(/\/$/, '') + args.path);
  if (args.options.query) url.search = args.options.query.toString();
  const where = `${args.displayUrl}${args.path}`;
  // A keep-alive socket the server closed while idle fails on reuse; a query is read-only,
  // so one retry on a fresh socket is safe (and what Node's documentation recommends).
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendOnce(url, args, signal);
    } catch (error) {
      const err = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (attempt === 0 && err.reusedSocket && err.code === 'ECONNRESET' && !signal.aborted) continue;
      if (ctx.signal.aborted) return { error: `stopped waiting for ${where}: the attempt's timeout (${ctx.timeoutMs} ms) ran out or the run was cancelled` };
      if (requestTimeout.aborted) return { error: `no answer from ${where} within ${requestTimeoutMs} ms (the connection's timeout)` };
      if (err.code === 'ETRUNCATED' || (err.code === 'ECONNRESET' && err.message === 'aborted')) return { error: `the answer from ${where} was cut off before its end` };
      return { error: `cannot reach ${args.target === 'alertmanager' ? 'Alertmanager' : 'Prometheus'} at ${args.displayUrl}: ${describeNetworkError(err)}` };
    }
  }
}

function sendOnce(url: URL, args: SendArgs, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const json = args.options.json === undefined ? undefined : JSON.stringify(args.options.json);
    const body = args.options.form?.toString() ?? json;
    const headers: Record<string, string> = { Accept: 'application/json', ...args.headers };
    if (body !== undefined) {
      headers['Content-Type'] = json !== undefined && args.options.form === undefined ? 'application/json' : 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const start = async (): Promise<void> => {
      const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
      const request = transport.request(url, { method: body === undefined ? 'GET' : 'POST', headers, agent: args.agent, signal }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) response.destroy(Object.assign(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`), { code: 'ETOOBIG' }));
          else chunks.push(chunk);
        });
        let ended = false;
        response.on('error', reject);
        response.on('end', () => {
          ended = true;
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(response.headers['content-type'] ?? '') });
        });
        // A body cut off (server gone, or our abort mid-body) must not pass for a short answer.
        response.on('close', () => {
          if (!ended) reject(Object.assign(new Error('the answer was cut off before its end'), { code: 'ETRUNCATED' }));
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reusedSocket: request.reusedSocket })));
      request.end(body);
    };
    start().catch(reject);
  });
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running, on this port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate not trusted (${error.code}): set tls.ca to the CA's PEM, or tls.insecureSkipVerify for a lab`;
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

/**
 * Reads a JSON API response. Prometheus answers `{status, data, errorType, error}`: 4xx means
 * it rejected the request (bad PromQL: its message says where), 5xx that it failed to answer.
 */
export function readJson(client: Client, path: string, response: Response): { json: unknown } | EvaluationError {
  const name = client.target === 'alertmanager' ? 'Alertmanager' : 'Prometheus';
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const apiError = json && typeof json === 'object' && 'error' in json ? (json as { error?: unknown; errorType?: unknown }) : undefined;
  const message = apiError ? `${apiError.errorType ? `${String(apiError.errorType)}: ` : ''}${String(apiError.error)}` : excerpt(response.body);
  const where = `${client.displayUrl}${path}`;
  if (response.status === 401 || response.status === 403) {
    return { error: `${name} refused the credentials (HTTP ${response.status} at ${where}): check the connection's headers` };
  }
  if (response.status === 404) return { error: `HTTP 404 at ${where}: is ${client.displayUrl} the ${name} base URL?` };
  if (response.status >= 400 && response.status < 500) return { error: `${name} rejected the request (HTTP ${response.status}): ${message}` };
  if (response.status >= 500) return { error: `${name} failed to answer (HTTP ${response.status} at ${where}): ${message || 'empty body'}` };
  if (response.status < 200 || response.status >= 300) return { error: `unexpected HTTP ${response.status} from ${where}` };
  if (json === undefined) return { error: `unparsable response from ${where} (not JSON, content-type ${response.contentType || 'none'}): ${excerpt(response.body)}` };
  if (apiError) return { error: `${name} answered with an error: ${message}` };
  return { json };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
