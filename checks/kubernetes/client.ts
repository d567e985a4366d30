import type { CheckContext, CheckResult, EvaluationError } from '../../src/sdk/index.js';
import { formatDuration } from '../../src/sdk/index.js';
import { openKubeconfig } from './kubeconfig.js';
import kubernetesSystem from './system.js';
import { ApiStatusError, openTransport, type Transport } from './transport.js';

/** A failure to talk to the API server, already worded for the evidence. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export interface Target {
  /** `get`, `list`, `patch`, ... as in RBAC. */
  verb: string;
  /** `deployments`, `pods`, `certificates.cert-manager.io`. */
  resource: string;
  name?: string;
  namespace?: string;
}

export interface Kube {
  context: string;
  server: string;
  namespace: string;
  /** A GET of any API path (objects, lists, discovery); the body parsed as JSON. */
  getJson<T>(target: Target, path: string, accept?: string): Promise<T>;
  /** A write (PATCH, POST, PUT) of a JSON body; the answer parsed as JSON. */
  send<T>(target: Target, method: string, path: string, body: unknown, contentType?: string): Promise<T>;
  /** The value of `create` kept for the run's connection (discovery documents); a failure is not kept. */
  remember<T>(key: string, create: () => Promise<T>): Promise<T>;
}

interface Connection {
  transport: Transport;
  context: string;
  server: string;
  defaultNamespace: string;
  remembered: Map<string, Promise<unknown>>;
}

/**
 * Runs `body` with a client for the node's environment. KubeErrors become `{ error }`:
 * an unreachable or refusing API server is never a pass or a fail.
 */
export async function withKube(ctx: CheckContext, namespace: string | undefined, body: (kube: Kube) => Promise<CheckResult>): Promise<CheckResult> {
  const connection = await connect(ctx);
  if ('error' in connection) return connection;
  try {
    return await body(bind(connection, ctx, namespace));
  } catch (error) {
    if (error instanceof KubeError) return { error: error.message };
    throw error;
  }
}

async function connect(ctx: CheckContext): Promise<Connection | EvaluationError> {
  const info = kubernetesSystem.connectionOf(ctx);
  if ('error' in info) return info;
  const settings = info.settings;
  const key = `kubernetes:${settings.kubeconfig ?? ctx.env.KUBECONFIG ?? ''}:${settings.context}:${info.name}`;
  // One connection (one keep-alive agent, one discovery cache) per system per run. A failure
  // is kept as a value, so the run's close has nothing to close for it.
  const connection = await ctx.shared<Connection | EvaluationError>(
    key,
    async () => {
      try {
        // Confined without the namespace: the client reads the context's own default below.
        const opened = await openKubeconfig({ ...settings, namespace: undefined }, ctx.cwd, ctx.env);
        if (!opened.ok) return { error: `kubernetes ${opened.message}` };
        // Load only the named context: the client cannot reach another cluster by accident.
        const transport = await openTransport(opened.confined);
        const contextNamespace = transport.kc.getContextObject(settings.context)?.namespace;
        return {
          transport,
          context: settings.context,
          server: transport.server,
          defaultNamespace: settings.namespace ?? contextNamespace ?? 'default',
          remembered: new Map(),
        };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    },
    (opened) => void ('transport' in opened && opened.transport.close()),
  );
  return connection;
}

function bind(connection: Connection, ctx: CheckContext, namespace: string | undefined): Kube {
  const { transport } = connection;
  const describe = (error: unknown, target: Target): KubeError => (error instanceof KubeError ? error : describeError(error, target, connection, ctx));
  const notJson = (target: Target) => new KubeError(`the API server answered ${target.verb} ${target.resource} with a body that is not JSON`);
  return {
    context: connection.context,
    server: connection.server,
    namespace: namespace ?? connection.defaultNamespace,
    remember<T>(key: string, create: () => Promise<T>): Promise<T> {
      let value = connection.remembered.get(key) as Promise<T> | undefined;
      if (!value) {
        value = create();
        connection.remembered.set(key, value);
        // Another node, with its own deadline, may succeed where this one timed out.
        value.catch(() => connection.remembered.delete(key));
      }
      return value;
    },
    async getJson<T>(target: Target, path: string, accept = 'application/json') {
      try {
        return await transport.json<T>('GET', path, { signal: ctx.signal, accept });
      } catch (error) {
        throw error instanceof SyntaxError ? notJson(target) : describe(error, target);
      }
    },
    async send<T>(target: Target, method: string, path: string, body: unknown, contentType = 'application/json') {
      try {
        return await transport.json<T>(method, path, { signal: ctx.signal, body, contentType });
      } catch (error) {
        throw error instanceof SyntaxError ? notJson(target) : describe(error, target);
      }
    },
  };
}

function describeError(error: unknown, target: Target, connection: Connection, ctx: CheckContext): KubeError {
  const what = `${target.verb} ${target.resource}${target.name ? ` "${target.name}"` : ''}${target.namespace ? ` in namespace ${target.namespace}` : ''}`;
  const code = (error as { code?: unknown })?.code;
  if (error instanceof ApiStatusError || (typeof code === 'number' && code >= 100)) {
    const status = code as number;
    const body = (error as { body?: unknown }).body;
    const serverMessage = typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : typeof body === 'string' ? body.slice(0, 200) : '';
    const suffix = serverMessage ? `: ${serverMessage}` : '';
    if (status === 401) return new KubeError(`unauthorized (401): context "${connection.context}" could not ${what} — its credentials were rejected${suffix}`, status);
    if (status === 403) return new KubeError(`forbidden (403): context "${connection.context}" may not ${what}${suffix}`, status);
    if (status === 404) return new KubeError(`not found (404): ${what}${suffix}`, status);
    return new KubeError(`the API server answered ${status} to ${what}${suffix}`, status);
  }
  if (ctx.signal.aborted) return new KubeError(`no answer from the API server at ${connection.server} within ${formatDuration(ctx.timeoutMs)} (${what})`);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (typeof code === 'string' ? code : error instanceof Error ? error.message : String(error));
  return new KubeError(`cannot reach the Kubernetes API at ${connection.server} (context "${connection.context}") to ${what}: ${reason}`);
}

/** True for a KubeError that means "the object is not there". */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeError && error.statusCode === 404;
}
