import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A fixture script that records what it did: `./rec.sh WORD ARGS...` appends its argv to
 * record.log. `fail` exits 1, `image` prints an image name, `sleep N` sleeps N seconds first.
 */
export const RECORD_SCRIPT = `#!/bin/sh
if [ "$1" = "sleep" ]; then sleep "$2"; shift 2; fi
echo "$*" >> record.log
case "$1" in
  fail) exit 1 ;;
  image) echo "registry.example/payments:1.4.2" ;;
  count) echo "${'$'}{2:-42}" ;;
esac
exit 0
`;

export function readRecord(dir: string): string[] {
  const file = join(dir, 'record.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** A loopback HTTP server that records every request (method and path). */
export async function startRecordingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const zodUrl = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href;

/** A team's own check module (compiled JS) that declares it mutates, and records when it runs. */
export const USER_MODULE = `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '${zodUrl}';
export default {
  kind: 'team.flag',
  summary: 'Flip a feature flag (records the call)',
  params: z.strictObject({ flag: z.string(), on: z.boolean() }),
  observes: 'verdict',
  mutates: true,
  async run(p, ctx) {
    appendFileSync(join(ctx.cwd, 'record.log'), 'team.flag ' + p.flag + ' ' + p.on + '\\n');
    return { status: 'pass', reasons: ['flipped'] };
  },
};
`;

export function evidenceFiles(dir: string, env: string): string[] {
  const envDir = join(dir, 'evidence', env);
  return existsSync(envDir) ? readdirSync(envDir).filter((f) => f.endsWith('.md')).sort() : [];
}
