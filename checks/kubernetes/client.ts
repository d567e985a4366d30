import type * as K8s from '@kubernetes/client-node';
import type { CheckContext, CheckResult, EvaluationError } from '../../src/sdk/index.js';
import { formatDuration } from '../../src/sdk/index.js';
import { openKubeconfig } from './kubeconfig.js';
import kubernetesSystem from './system.js';

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

type RequestOptions = K8s.ConfigurationOptions;

export interface Kube {
  context: string;
  server: string;
  namespace: string;
  apps: K8s.AppsV1Api;
  core: K8s.CoreV1Api;
  policy: K8s.PolicyV1Api;
  networking: K8s.NetworkingV1Api;
  autoscaling: K8s.AutoscalingV2Api;
  custom: K8s.CustomObjectsApi;
  /** Calls the API with the attempt's signal (and extra headers); errors become KubeError. */
  call<T>(target: Target, request: (options: RequestOptions) => Promise<T>, headers?: Record<string, string>): Promise<T>;
  /** A GET of any path (discovery, metadata-only reads); the body parsed as JSON. */
  getJson<T>(target: Target, path: string, accept?: string): Promise<T>;
  /** The value of `create` kept for the run's connection (discovery documents); a failure is not kept. */
  remember<T>(key: string, create: () => Promise<T>): Promise<T>;
}

interface Connection {
  lib: typeof K8s;
  kc: K8s.KubeConfig;
  context: string;
  server: string;
  defaultNamespace: string;
  apis: Pick<Kube, 'apps' | 'core' | 'policy' | 'networking' | 'autoscaling' | 'custom'>;
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
  try {
    return await ctx.shared(key, async () => {
      // Confined without the namespace: the client reads the context's own default below.
      const opened = await openKubeconfig({ ...settings, namespace: undefined }, ctx.cwd, ctx.env);
      if (!opened.ok) throw new KubeError(`kubernetes ${opened.message}`);
      const lib = await import('@kubernetes/client-node');
      const kc = new lib.KubeConfig();
      // Load only the named context: the client cannot reach another cluster by accident.
      kc.loadFromString(opened.confined);
      const cluster = kc.getCurrentCluster();
      const contextNamespace = kc.getContextObject(settings.context)?.namespace;
      return {
        lib,
        kc,
        context: settings.context,
        server: cluster?.server ?? '',
        defaultNamespace: settings.namespace ?? contextNamespace ?? 'default',
        apis: {
          apps: kc.makeApiClient(lib.AppsV1Api),
          core: kc.makeApiClient(lib.CoreV1Api),
          policy: kc.makeApiClient(lib.PolicyV1Api),
          networking: kc.makeApiClient(lib.NetworkingV1Api),
          autoscaling: kc.makeApiClient(lib.AutoscalingV2Api),
          custom: kc.makeApiClient(lib.CustomObjectsApi),
        },
        remembered: new Map(),
      };
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function bind(connection: Connection, ctx: CheckContext, namespace: string | undefined): Kube {
  const { lib, kc } = connection;
  const optionsFor = (headers: Record<string, string>): RequestOptions => {
    // The generated Object API runs observable middleware (client-node's own Observable).
    const middleware = {
      pre: (request: K8s.RequestContext) => {
        request.setSignal(ctx.signal);
        for (const [name, value] of Object.entries(headers)) request.setHeaderParam(name, value);
        return new lib.Observable(Promise.resolve(request));
      },
      post: (response: K8s.ResponseContext) => new lib.Observable(Promise.resolve(response)),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' } as RequestOptions;
  };
  const describe = (error: unknown, target: Target): KubeError => describeError(error, target, connection, ctx);
  return {
    context: connection.context,
    server: connection.server,
    namespace: namespace ?? connection.defaultNamespace,
    ...connection.apis,
    async call(target, request, headers = {}) {
      try {
        return await request(optionsFor(headers));
      } catch (error) {
        throw describe(error, target);
      }
    },
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
        const request = new lib.RequestContext(`${connection.server.replace(/\/$/, '')}${path}`, lib.HttpMethod.GET);
        request.setHeaderParam('Accept', accept);
        await kc.applySecurityAuthentication(request);
        request.setSignal(ctx.signal);
        const response = await lib.createConfiguration().httpApi.send(request).toPromise();
        const text = await response.body.text();
        if (response.httpStatusCode >= 400) throw new lib.ApiException(response.httpStatusCode, 'request failed', safeJson(text) ?? text, response.headers);
        const body = safeJson(text);
        if (body === undefined) throw new KubeError(`the API server answered ${target.verb} ${target.resource} with a body that is not JSON`);
        return body as T;
      } catch (error) {
        if (error instanceof KubeError) throw error;
        throw describe(error, target);
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeError(error: unknown, target: Target, connection: Connection, ctx: CheckContext): KubeError {
  const what = `${target.verb} ${target.resource}${target.name ? ` "${target.name}"` : ''}${target.namespace ? ` in namespace ${target.namespace}` : ''}`;
  const code = (error as { code?: unknown })?.code;
  if (error instanceof connection.lib.ApiException || (typeof code === 'number' && code >= 100)) {
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
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new KubeError(`cannot reach the Kubernetes API at ${connection.server} (context "${connection.context}") to ${what}: ${reason}`);
}

/** True for a KubeError that means "the object is not there". */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeError && error.statusCode === 404;
}
