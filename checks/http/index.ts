import { z } from 'zod';
import { defineCheck, loadCa, maskUrl, tlsSettings, type CheckContext, type CheckResult, type LabelledValue, type Scalar } from '../../src/sdk/index.js';
import { getAgents, sendRequest, type Response } from './client.js';
import { JSON_PATH_SOURCE, parseJsonPath, selectJsonPath } from './json-path.js';
import { probeTcp, readServerCertificate } from './tls.js';

const EXCERPT_CHARS = 2000;
// Outputs feed `${nodes.ID.outputs.body}`; a body larger than this is not kept there.
const MAX_OUTPUT_BODY_CHARS = 64 * 1024;
const DAY_MS = 86_400_000;

const params = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).describe('The http:// or https:// URL to request; a password in it is masked in messages.'),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET, HEAD or POST')
    .transform((method) => method.toUpperCase())
    .default('GET')
    .describe('HTTP method; anything but GET or HEAD mutates.'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers, e.g. { Authorization: "Bearer ${secret:TOKEN}" }.'),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional()
    .describe('A string is sent as is; a map or list as JSON (content-type: application/json).'),
  tls: tlsSettings.optional().describe('TLS trust for https:// URLs: { ca, insecureSkipVerify }.'),
  followRedirects: z.boolean().optional().describe('Follow up to 5 redirects (default false: a 302 is observed as 302).'),
});

type Params = z.output<typeof params>;

const OBSERVE_PATTERNS = [/^status$/, new RegExp(`^json:${JSON_PATH_SOURCE}$`), /^header:[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, /^tlsDaysLeft$/];

export default defineCheck({
  kind: 'http',
  summary: 'HTTP(S) probe: status, a JSON path, a header, or TLS days left',
  description:
    'Probes the service itself: a refused connection, an unknown host or a reset is `fail` (the service is down), ' +
    'and so is a certificate that does not verify. Only a timeout or a malformed response is `error`. ' +
    'Connections are kept alive and reused across the run. A method other than GET or HEAD mutates.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'status',
    patterns: OBSERVE_PATTERNS,
    help: [
      'status (default; the response status code)',
      'json:$.path (a value of the JSON body: $.a.b, $.items[0].id, $.checks[*].status)',
      'header:Name (a response header, e.g. header:Strict-Transport-Security; absent → no data)',
      'tlsDaysLeft (days until the server certificate expires)',
    ],
  },
  defaultExpect: (observe) => (observe === undefined || observe === 'status' ? '== 200' : undefined),
  mutates: (p: Params) => p.method !== 'GET' && p.method !== 'HEAD',
  mutatesWhen: 'when method is not GET/HEAD',
  outputs: { status: 'the response status code', body: 'the body (parsed when JSON), when under 64 KB' },
  examples: [
    '- id: api-healthy\n  uses: http\n  with: { url: "https://api.example.com/v1/health" }',
    '- id: db-ok\n  uses: http\n  with: { url: "https://api.example.com/v1/health" }\n  observe: json:$.checks.database\n  expect: "== ok"',
    '- id: hsts\n  uses: http\n  with: { url: "https://www.example.com/" }\n  observe: header:Strict-Transport-Security\n  expect: "=~ /max-age=\\\\d{8}/"',
    '- id: cert-not-expiring\n  uses: http\n  with: { url: "https://www.example.com/" }\n  observe: tlsDaysLeft\n  expect: ">= 14"',
    '- id: purge-cache\n  uses: http\n  with: { url: "https://cdn.example.com/purge", method: POST, headers: { Authorization: "Bearer ${secret:CDN_TOKEN}" }, body: { paths: ["/*"] } }\n  expect: "in [200, 202]"',
  ],
  async run(p, ctx) {
    const observe = ctx.observe ?? 'status';
    const url = new URL(p.url);
    const ca = await loadCa(p.tls?.ca, ctx.cwd);
    if (typeof ca === 'object') return ca;
    if (observe === 'tlsDaysLeft') return observeCertificate(url, p, ca, ctx);

    const agents = await getAgents(ctx);
    const startedAt = performance.now();
    const result = await sendRequest(
      {
        url,
        method: p.method,
        headers: requestHeaders(p),
        body: encodeBody(p.body),
        ca,
        rejectUnauthorized: !p.tls?.insecureSkipVerify,
        followRedirects: p.followRedirects ?? false,
      },
      agents,
      ctx.signal,
    );
    const target = `${p.method} ${maskUrl(url)}`;
    if ('failure' in result) {
      if (result.failure === 'aborted') return { error: `${target}: no response within ${ctx.timeoutMs}ms` };
      if (result.failure === 'down') return { status: 'fail', reasons: [`${target}: ${result.message}`] };
      if (result.failure === 'tls') {
        return { status: 'fail', reasons: [`${target}: TLS certificate not trusted: ${result.message}; trust its CA with tls.ca, or set tls.insecureSkipVerify`] };
      }
      return { error: `${target}: ${result.message}` };
    }
    const elapsedMs = Math.round(performance.now() - startedAt);
    ctx.log(`${target} → ${result.status} in ${elapsedMs}ms${result.redirects ? ` after ${result.redirects} redirect(s) to ${maskUrl(result.url)}` : ''}`);
    return observeResponse(observe, result);
  },
  validate(p) {
    const problems: Array<{ path: Array<string | number>; message: string; hint?: string }> = [];
    if (p.tls && p.url.startsWith('http:')) {
      problems.push({ path: ['tls'], message: 'tls applies only to https:// URLs', hint: 'use https:// or remove tls' });
    }
    if (p.body !== undefined && (p.method === 'GET' || p.method === 'HEAD')) {
      problems.push({ path: ['body'], message: `a ${p.method} request sends no body`, hint: 'set method: POST (or PUT, PATCH) — it then mutates' });
    }
    return problems;
  },
  async preflight(p, ctx) {
    return probeTcp(new URL(p.url), ctx.signal);
  },
});

function requestHeaders(p: Params): Record<string, string> {
  const headers = { ...p.headers };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (p.body !== undefined && typeof p.body !== 'string' && !hasContentType) headers['content-type'] = 'application/json';
  return headers;
}

function encodeBody(body: Params['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

function observeResponse(observe: string, response: Response): CheckResult {
  const text = response.body.toString('utf8');
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}… (${response.body.length} bytes)` : text;
  const json = parseJson(response);
  const outputs: Record<string, unknown> = { status: response.status };
  if (text.length <= MAX_OUTPUT_BODY_CHARS && !response.truncated) outputs.body = json.ok ? json.value : text;
  const details = { excerpt, notes: [`status ${response.status}`] };

  if (observe === 'status') return { observed: response.status, details, outputs };
  if (observe.startsWith('header:')) {
    const value = response.headers[observe.slice('header:'.length).toLowerCase()];
    const observed = value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    return { observed, details, outputs };
  }
  if (observe.startsWith('json:')) {
    const steps = parseJsonPath(observe.slice('json:'.length));
    if (!steps) return { error: `${observe}: not a JSON path; write json:$.a.b[0].c`, details };
    if (!json.ok) return { error: `${observe}: the response (status ${response.status}) is not JSON: ${json.reason}`, details };
    return observeJsonPath(observe, selectJsonPath(json.value, steps), details, outputs);
  }
  return { error: `unknown observe "${observe}"; use status, json:$.path, header:Name or tlsDaysLeft`, details };
}

function parseJson(response: Response): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (response.truncated) return { ok: false, reason: 'the body is larger than the 8 MB read limit' };
  try {
    return { ok: true, value: JSON.parse(response.body.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function observeJsonPath(observe: string, selected: Array<{ at: string; value: unknown }>, details: { excerpt: string; notes: string[] }, outputs: Record<string, unknown>): CheckResult {
  const hasWildcard = observe.includes('[*]');
  // A path to one array of scalars reads as a list, as `[*]` would.
  const only = selected.length === 1 ? selected[0]! : undefined;
  const items = !hasWildcard && only && Array.isArray(only.value) ? only.value.map((value, i) => ({ at: `${only.at}[${i}]`, value })) : selected;
  if (!hasWildcard && only && !Array.isArray(only.value)) {
    if (only.value === null) return { observed: null, details, outputs };
    if (!isScalar(only.value)) return { error: `${observe} is an object; point the path at a value inside it`, details };
    return { observed: only.value, details, outputs };
  }
  if (!hasWildcard && !only) return { observed: null, details: { ...details, notes: [...details.notes, `${observe.slice(5)} is not in the response`] }, outputs };
  const list: LabelledValue[] = [];
  for (const item of items) {
    if (item.value !== null && !isScalar(item.value)) return { error: `${item.at} is an object or array; point the path at scalar values`, details };
    list.push({ name: item.at, value: item.value });
  }
  return { observed: list, details, outputs };
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

async function observeCertificate(url: URL, p: Params, ca: string | undefined, ctx: CheckContext): Promise<CheckResult> {
  const target = maskUrl(url);
  if (url.protocol !== 'https:') return { error: `tlsDaysLeft needs an https:// URL, not ${target}` };
  const cert = await readServerCertificate(url, ca, ctx.signal);
  if ('failure' in cert) {
    if (cert.failure === 'aborted') return { error: `${target}: no TLS handshake within ${ctx.timeoutMs}ms` };
    if (cert.failure === 'down') return { status: 'fail', reasons: [`${target}: ${cert.message}`] };
    if (cert.failure === 'tls') return { status: 'fail', reasons: [`${target}: ${cert.message}`] };
    return { error: `${target}: ${cert.message}` };
  }
  const daysLeft = (cert.validTo.getTime() - ctx.now().getTime()) / DAY_MS;
  const notes = [`subject ${cert.subject}`, `issuer ${cert.issuer}`, `valid ${cert.validFrom.toISOString()} → ${cert.validTo.toISOString()}`];
  // An expired certificate is judged by the days (negative); any other trust problem fails here.
  const expiredOnly = cert.verifyError === 'CERT_HAS_EXPIRED';
  if (cert.verifyError && !expiredOnly && !p.tls?.insecureSkipVerify) {
    return {
      status: 'fail',
      reasons: [`${target}: TLS certificate not trusted (${cert.verifyError}); trust its CA with tls.ca, or set tls.insecureSkipVerify`],
      details: { notes },
    };
  }
  return { observed: Math.round(daysLeft * 100) / 100, details: { notes }, outputs: { validTo: cert.validTo.toISOString() } };
}
