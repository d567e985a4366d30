import { createHmac } from 'node:crypto';
import { sameSecret } from './tokens.js';

/** GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, checked in constant time. */
export function validGithubSignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !header.startsWith('sha256=') || !secret) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return sameSecret(header, expected);
}

export interface ProtectionRequest {
  environment: string;
  callbackUrl: string;
  deployment: string;
}

/** The fields of a `deployment_protection_rule` webhook (action `requested`) that a gate needs. */
export function readProtectionRequest(payload: Record<string, unknown>): ProtectionRequest | string {
  if (payload.action !== 'requested') return `action ${String(payload.action)}: only "requested" is answered`;
  const environment = payload.environment;
  const callbackUrl = payload.deployment_callback_url;
  if (typeof environment !== 'string' || !environment) return 'the payload has no environment';
  if (typeof callbackUrl !== 'string' || !/^https?:\/\//.test(callbackUrl)) return 'the payload has no deployment_callback_url';
  const deployment = payload.deployment as { id?: unknown; sha?: unknown } | undefined;
  return { environment, callbackUrl, deployment: `deployment ${String(deployment?.id ?? '?')} (${String(deployment?.sha ?? '?').slice(0, 12)})` };
}

/** Reviews the deployment: POST to the callback URL with the app's token. */
export async function reviewDeployment(callbackUrl: string, token: string, review: { environment_name: string; state: 'approved' | 'rejected'; comment: string }): Promise<number> {
  const response = await fetch(callbackUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' },
    body: JSON.stringify(review),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}
