import type { IncomingMessage } from 'node:http';
import { parseInstant } from '../session/index.js';
import { Busy } from './admission.js';
import { askGates, NotFound, type AskContext, type GateAnswer, type GateQuestion } from './ask.js';
import { readProtectionRequest, reviewDeployment, validGithubSignature } from './github.js';
import { bearerToken, HttpError, parseJsonBody, readBody } from './http-io.js';
import type { ServeMetrics } from './metrics.js';
import type { TokenFile } from './tokens.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext extends AskContext {
  tokens: TokenFile;
  metrics: ServeMetrics;
  githubSecret?: () => string | undefined;
  githubToken?: () => string | undefined;
}

const list = (value: unknown): string[] | undefined => {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value === 'string' && value.trim()) return value.split(',').map((s) => s.trim()).filter(Boolean);
  return undefined;
};

function authenticate(req: IncomingMessage, context: RouteContext, url: URL, allowQuery: boolean): string {
  const presented = bearerToken(req) ?? (allowQuery ? url.searchParams.get('token') ?? undefined : undefined);
  const caller = context.tokens.identify(presented);
  if (!caller) throw new HttpError(401, 'a valid bearer token is required', { 'www-authenticate': 'Bearer' });
  return caller.name;
}

async function answer(question: GateQuestion, caller: string, context: RouteContext): Promise<GateAnswer> {
  const started = Date.now();
  try {
    const result = await askGates(question, caller, context);
    context.metrics.runs.inc({ playbook: question.playbook, env: question.env, what: question.what, verdict: result.report.verdict });
    context.metrics.duration.observe({ what: question.what }, (Date.now() - started) / 1000);
    return result;
  } catch (error) {
    if (error instanceof Busy) throw new HttpError(429, 'too many runs in flight; retry later', { 'retry-after': String(error.retryAfterSeconds) });
    if (error instanceof NotFound) throw new HttpError(404, error.message);
    throw error;
  }
}

function refusedToRun(result: GateAnswer): boolean {
  return result.report.exitCode === 2 && Array.isArray((result.report as { problems?: unknown }).problems);
}

/** POST /v1/check, GET /v1/gates/{playbook}/{env}: the JSON report, 200 whatever the verdict. */
async function checkRoute(req: IncomingMessage, url: URL, context: RouteContext, params: string[]): Promise<Reply> {
  const caller = authenticate(req, context, url, false);
  let question: GateQuestion;
  if (req.method === 'POST') {
    const body = parseJsonBody(await readBody(req));
    if (typeof body.playbook !== 'string' || typeof body.env !== 'string') throw new HttpError(400, 'expected { "playbook": "name", "env": "staging", "only": [..], "at": ".." }');
    const at = typeof body.at === 'string' ? parseInstant(body.at) : undefined;
    if (at && !at.ok) throw new HttpError(400, at.message.replace('--at', 'at'));
    const only = list(body.only);
    question = { playbook: body.playbook, env: body.env, what: 'check', ...(only ? { only } : {}), ...(at?.ok ? { at: at.at } : {}) };
  } else {
    const only = list(url.searchParams.get('only'));
    question = { playbook: params[0]!, env: params[1]!, what: 'check', ...(only ? { only } : {}) };
  }
  const result = await answer(question, caller, context);
  if (refusedToRun(result)) return { status: 400, body: result.report };
  return { status: 200, body: result.report };
}

/** Flagger's webhook payload: `{ name, namespace, phase, checksum, metadata }`. */
function flaggerQuestion(playbook: string, body: Record<string, unknown>, what: GateQuestion['what']): GateQuestion {
  const metadata = (body.metadata && typeof body.metadata === 'object' ? body.metadata : {}) as Record<string, unknown>;
  const env = typeof metadata.env === 'string' && metadata.env ? metadata.env : typeof body.namespace === 'string' ? body.namespace : undefined;
  if (!env) throw new HttpError(400, 'expected a Flagger payload with a namespace (or metadata.env)');
  const only = list(metadata.only);
  return { playbook, env, what, ...(only ? { only } : {}) };
}

/** Gate hooks: 200 pass, 412 a failure, 503 an error (Flagger counts any non-2xx as a failed check). */
async function flaggerGateRoute(req: IncomingMessage, url: URL, context: RouteContext, params: string[]): Promise<Reply> {
  const caller = authenticate(req, context, url, true);
  const body = parseJsonBody(await readBody(req));
  const question = flaggerQuestion(params[0]!, body, 'check');
  const result = await answer(question, `${caller} (Flagger canary ${String(body.namespace)}/${String(body.name)}, phase ${String(body.phase)})`, context);
  const status = result.report.verdict === 'pass' ? 200 : result.report.verdict === 'fail' ? 412 : 503;
  return { status, body: result.report };
}

/** Rollback hooks: 200 when a blocking trigger fired (Flagger rolls back on 2xx), 412 none, 503 unknown. */
async function flaggerRollbackRoute(req: IncomingMessage, url: URL, context: RouteContext, params: string[]): Promise<Reply> {
  const caller = authenticate(req, context, url, true);
  const body = parseJsonBody(await readBody(req));
  const question = flaggerQuestion(params[0]!, body, 'triggers');
  const result = await answer(question, `${caller} (Flagger canary ${String(body.namespace)}/${String(body.name)}, phase ${String(body.phase)}, rollback hook)`, context);
  if (refusedToRun(result)) return { status: 503, body: result.report };
  const status = result.triggers.fired > 0 ? 200 : result.triggers.errored > 0 || result.report.verdict === 'error' || result.report.verdict === 'inconclusive' ? 503 : 412;
  return { status, body: result.report };
}

/** GitHub's deployment protection rule: HMAC first, an answer at once (202), the review by callback. */
async function githubRoute(req: IncomingMessage, url: URL, context: RouteContext): Promise<Reply> {
  const body = await readBody(req);
  const secret = context.githubSecret?.();
  if (!secret || !validGithubSignature(body, req.headers['x-hub-signature-256'] as string | undefined, secret)) throw new HttpError(401, 'missing or bad X-Hub-Signature-256');
  const playbook = url.searchParams.get('playbook');
  if (!playbook) throw new HttpError(400, 'expected ?playbook=NAME');
  if (req.headers['x-github-event'] === 'ping') return { status: 200, body: { ok: true } };
  const request = readProtectionRequest(parseJsonBody(body));
  if (typeof request === 'string') throw new HttpError(400, request);
  if (!context.files.has(playbook)) throw new HttpError(404, `no playbook named ${playbook}`);
  void (async () => {
    let review: { state: 'approved' | 'rejected'; comment: string };
    try {
      const result = await answer({ playbook, env: request.environment, what: 'check' }, `GitHub ${request.deployment}`, context);
      const failing = ((result.report as { nodes?: Array<{ id: string; status: string }> }).nodes ?? []).filter((n) => n.status === 'fail' || n.status === 'error' || n.status === 'inconclusive').map((n) => `${n.id} (${n.status})`);
      const approved = result.report.verdict === 'pass';
      review = { state: approved ? 'approved' : 'rejected', comment: `rollout ${playbook} --env ${request.environment}: ${String(result.report.verdict).toUpperCase()}${failing.length ? ` — ${failing.join(', ')}` : ''}. Evidence: ${String((result.report as { evidence?: string }).evidence ?? 'not written')}` };
    } catch (error) {
      review = { state: 'rejected', comment: `rollout could not evaluate ${playbook} --env ${request.environment}: ${(error as Error).message}` };
    }
    const token = context.githubToken?.();
    if (!token) return context.log(`github: no --github-token-file: cannot review ${request.deployment} (${review.state})`);
    try {
      const status = await reviewDeployment(request.callbackUrl, token, { environment_name: request.environment, ...review });
      context.log(`github: reviewed ${request.deployment} in ${request.environment}: ${review.state} (callback HTTP ${status})`);
    } catch (error) {
      context.log(`github: callback for ${request.deployment} failed: ${(error as Error).message}`);
    }
  })();
  return { status: 202, body: { accepted: true, playbook, environment: request.environment } };
}

type Handler = (req: IncomingMessage, url: URL, context: RouteContext, params: string[]) => Promise<Reply>;

/** The routes, in one table: method, path pattern, the name metrics use, handler. */
export const ROUTES: Array<{ method: string[]; pattern: RegExp; name: string; handler: Handler }> = [
  { method: ['POST'], pattern: /^\/v1\/check$/, name: '/v1/check', handler: checkRoute },
  { method: ['GET'], pattern: /^\/v1\/gates\/([^/]+)\/([^/]+)$/, name: '/v1/gates', handler: checkRoute },
  { method: ['POST'], pattern: /^\/v1\/flagger\/([^/]+)\/rollback$/, name: '/v1/flagger/rollback', handler: flaggerRollbackRoute },
  { method: ['POST'], pattern: /^\/v1\/flagger\/([^/]+)$/, name: '/v1/flagger', handler: flaggerGateRoute },
  { method: ['POST'], pattern: /^\/v1\/github\/deployment-protection$/, name: '/v1/github/deployment-protection', handler: githubRoute },
];
