import { existsSync } from 'node:fs';
import { parseDuration } from '../../sdk/duration.js';
import { namedEvidenceStore } from '../options.js';
import { err, out } from '../output.js';

export interface ServeOptions {
  listen: string;
  playbooks: string;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxRuns: string;
  maxQueued: string;
  requestTimeout: string;
  shutdownGrace: string;
  evidenceDir?: string;
  evidenceStore?: string;
  githubWebhookSecretFile?: string;
  githubTokenFile?: string;
}

function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  return port <= 65535 ? { host: match[1] ?? (match[2] || '127.0.0.1'), port } : undefined;
}

/** `rollout serve`: flags checked, the server started; it runs until SIGTERM/SIGINT (exit 0 after draining). */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const problems: string[] = [];
  const listen = parseListen(opts.listen);
  if (!listen) problems.push(`--listen ${opts.listen}: expected HOST:PORT, such as 127.0.0.1:8080 or 0.0.0.0:8080`);
  if (!opts.tokenFile) problems.push('--token-file is required: /v1/check, /v1/gates, the Flagger paths and /metrics need a bearer token');
  else if (!existsSync(opts.tokenFile)) problems.push(`--token-file ${opts.tokenFile}: no such file`);
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) problems.push('--tls-cert and --tls-key go together');
  const numbers = { maxRuns: Number(opts.maxRuns), maxQueued: Number(opts.maxQueued) };
  if (!Number.isInteger(numbers.maxRuns) || numbers.maxRuns < 1) problems.push(`--max-runs ${opts.maxRuns}: expected a whole number ≥ 1`);
  if (!Number.isInteger(numbers.maxQueued) || numbers.maxQueued < 0) problems.push(`--max-queued ${opts.maxQueued}: expected a whole number ≥ 0`);
  const requestTimeoutMs = parseDuration(opts.requestTimeout);
  const shutdownGraceMs = parseDuration(opts.shutdownGrace);
  if (!requestTimeoutMs) problems.push(`--request-timeout ${opts.requestTimeout}: expected a duration such as 60s`);
  if (shutdownGraceMs === undefined) problems.push(`--shutdown-grace ${opts.shutdownGrace}: expected a duration such as 30s`);
  if (problems.length) {
    err(`${problems.join('\n')}\nthe server was not started.\n`);
    return 2;
  }
  const { startServer } = await import('../../serve/server.js');
  const started = await startServer({
    ...listen!,
    playbooksDir: opts.playbooks,
    tokenFile: opts.tokenFile!,
    ...(opts.tlsCert && opts.tlsKey ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
    ...numbers,
    requestTimeoutMs: requestTimeoutMs!,
    shutdownGraceMs: shutdownGraceMs!,
    ...(namedEvidenceStore(opts) !== undefined ? { evidenceStore: namedEvidenceStore(opts)! } : {}),
    ...(opts.githubWebhookSecretFile ? { githubWebhookSecretFile: opts.githubWebhookSecretFile } : {}),
    ...(opts.githubTokenFile ? { githubTokenFile: opts.githubTokenFile } : {}),
    log: (line) => err(`${new Date().toISOString()} ${line}\n`),
  });
  if (!started.ok) {
    err(`${started.problems.join('\n')}\n\n${started.problems.length} problem${started.problems.length === 1 ? '' : 's'}; the server was not started.\n`);
    return 2;
  }
  const { server } = started;
  out(`rollout serve: listening on ${server.url} (playbooks from ${opts.playbooks})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      err(`${signal}: no new requests; letting runs finish (grace ${opts.shutdownGrace})\n`);
      void server.drain().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      void server.reload().then((reloadProblems) => err(reloadProblems.length ? `SIGHUP: playbooks NOT reloaded (kept the previous set):\n${reloadProblems.join('\n')}\n` : 'SIGHUP: playbooks reloaded\n'));
    });
  });
  err('rollout serve: stopped\n');
  return 0;
}
