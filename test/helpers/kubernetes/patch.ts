import { request } from 'node:https';
import type { FixtureApiServer } from '../../../fixtures/kubernetes/api-server.mjs';

/** Sets one container's image over the API (a JSON patch, as `kubectl set image` sends): what a deploy does. */
export function setImage(server: FixtureApiServer, namespace: string, name: string, container: string, image: string): Promise<number> {
  const deployment = server.get('apps/v1', 'Deployment', namespace, name);
  const index = (deployment?.spec?.template?.spec?.containers ?? []).findIndex((c: { name: string }) => c.name === container);
  if (index < 0) throw new Error(`Deployment ${namespace}/${name} has no container ${container}`);
  const body = JSON.stringify([{ op: 'replace', path: `/spec/template/spec/containers/${index}/image`, value: image }]);
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, {
      method: 'PATCH',
      ca: Buffer.from(server.caData, 'base64'),
      headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json-patch+json' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
