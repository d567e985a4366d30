import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// client-node's KubeConfig does what kubectl does with a kubeconfig (certificates, tokens,
// exec and auth-provider plugins, proxies); its generated API classes and object
// serializer are most of its ~0.7 s load and add an Observable pipeline to every request.
// Only the KubeConfig module is imported (the bundle leaves the rest out), and requests go
// over one keep-alive agent per connection as plain JSON.

/** The API server answered with an error status. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}`);
  }
}

export interface SendOptions {
  signal?: AbortSignal;
  accept?: string;
  body?: unknown;
  contentType?: string;
}

export interface Transport {
  kc: KubeConfig;
  server: string;
  /** Sends one request; resolves with the status and the body as text. */
  send(method: string, path: string, options?: SendOptions): Promise<{ status: number; text: string }>;
  /** Sends one request and parses the JSON answer; an error status throws ApiStatusError. */
  json<T>(method: string, path: string, options?: SendOptions): Promise<T>;
  close(): void;
}

let loading: Promise<typeof KubeConfig> | undefined;

/** Loads client-node's KubeConfig (the guard calls this so the first node does not pay for it). */
export function loadKubeConfigClass(): Promise<typeof KubeConfig> {
  loading ??= import('@kubernetes/client-node/dist/config.js').then((m) => m.KubeConfig);
  loading.catch(() => (loading = undefined));
  return loading;
}

/** A transport for a kubeconfig already confined to one context. */
export async function openTransport(confinedKubeconfig: string): Promise<Transport> {
  const KubeConfigClass = await loadKubeConfigClass();
  const kc = new KubeConfigClass();
  kc.loadFromString(confinedKubeconfig);
  const cluster = kc.getCurrentCluster();
  const server = (cluster?.server ?? '').replace(/\/$/, '');
  let agent: HttpAgent | undefined;
  // Built from the first request's TLS options; a proxied cluster keeps client-node's agent.
  const keepAliveAgent = (options: RequestOptions & { ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; servername?: string }) => {
    if (cluster?.proxyUrl) return options.agent;
    if (!agent) {
      const tls = { ca: options.ca, cert: options.cert, key: options.key, servername: options.servername, ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}) };
      agent = server.startsWith('http:') ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true, ...(tls as object) });
    }
    return agent;
  };
  const send: Transport['send'] = async (method, path, options = {}) => {
    const request: RequestOptions & Record<string, unknown> = { method, headers: { Accept: options.accept ?? 'application/json' } };
    // Credentials per request: an exec plugin's token may have been refreshed.
    await kc.applyToHTTPSOptions(request as never);
    request.agent = keepAliveAgent(request);
    const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (payload !== undefined) Object.assign(request.headers!, { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    const url = new URL(`${server}${path}`);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, { ...request, ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  };
  return {
    kc,
    server,
    send,
    async json<T>(method: string, path: string, options: SendOptions = {}) {
      const { status, text } = await send(method, path, options);
      const body = parseJson(text);
      if (status >= 400) throw new ApiStatusError(status, body ?? text);
      if (body === undefined) throw new SyntaxError('the answer is not JSON');
      return body as T;
    },
    close() {
      agent?.destroy();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
