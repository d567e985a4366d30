import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readChain } from './chain.js';
import { hideSecretsInUrl, runGit, sleepMs } from './git-run.js';
import { currentHost, currentUser } from '../identity/identity.js';
import type { EvidenceStoreSpec } from '../playbook/evidence-store-spec.js';
import type { AppendResult, ComposeEvidence, EvidenceStore } from './store.js';

/** Pushes rejected because another writer got there first, before the file goes to the spool. */
const MAX_PUSH_ATTEMPTS = 25;
const MAX_NAME_ATTEMPTS = 1000;

export type GitStoreSpec = Extract<EvidenceStoreSpec, { kind: 'git' }>;

interface Snapshot {
  commit?: string;
  /** env → file name → blob id. */
  files: Map<string, Map<string, string>>;
}

/**
 * A git branch as an evidence store: `<env>/<file>.md`, one commit per file, pushed. A local
 * cache repository (bare, under $XDG_CACHE_HOME/rollout/git/, one per URL) is fetched once
 * before reading; an append commits on the fetched tip and pushes without force, so two
 * writers cannot both extend the same tip: the one rejected fetches, links its file to the
 * new tip and tries again. The remote URL lives in the cache's config, never in argv.
 */
export function gitStore(spec: GitStoreSpec, cacheRoot = defaultCacheRoot()): EvidenceStore & { integrityProblems(): string[] } {
  const gitDir = join(cacheRoot, 'git', createHash('sha256').update(`${spec.remote}#${spec.branch}`).digest('hex').slice(0, 24));
  const trackingRef = `refs/remotes/origin/${spec.branch}`;
  const blobs = new Map<string, Buffer>();
  const problems: string[] = [];
  let snapshot: Snapshot | undefined;
  let failure: string | undefined;

  const current = (): Snapshot => {
    if (!snapshot) {
      const fetched = refresh();
      if (!fetched.ok) {
        // A reader that cannot reach the store sees nothing; the gate reading it fails closed.
        failure = fetched.message;
        snapshot = { files: new Map() };
      } else snapshot = fetched.value;
    }
    return snapshot;
  };

  const refresh = (): { ok: true; value: Snapshot } | { ok: false; message: string } => {
    const ready = ensureCache(gitDir, spec.remote);
    if (!ready.ok) return ready;
    const tip = fetchTip(gitDir, spec.branch, trackingRef, problems);
    if (!tip.ok) return tip;
    return tip.commit ? listTree(gitDir, tip.commit) : { ok: true, value: { files: new Map() } };
  };

  const store: EvidenceStore & { integrityProblems(): string[] } = {
    url: spec.url,
    environments: () => [...current().files.keys()].sort(),
    names: (env) => [...(current().files.get(env)?.keys() ?? [])].filter((n) => n.endsWith('.md') && !n.startsWith('.')).sort(),
    read(env, name) {
      const id = current().files.get(env)?.get(name);
      if (!id) return undefined;
      if (!blobs.has(id)) readBlobs(gitDir, [...(current().files.get(env)?.values() ?? [])].filter((b) => !blobs.has(b)), blobs);
      return blobs.get(id);
    },
    locate: (env, name) => `${spec.url}:${env}/${name}`,
    append(env, playbook, compose) {
      try {
        const result = appendCommit(env, playbook, compose);
        return result;
      } catch (error) {
        return { ok: false, message: hideSecretsInUrl((error as Error).message) };
      }
    },
    integrityProblems: () => {
      current();
      return [...problems, ...(failure ? [`cannot read ${spec.url}: ${failure}`] : [])];
    },
  };

  function appendCommit(env: string, playbook: string, compose: ComposeEvidence): AppendResult {
    let lastProblem = '';
    for (let push = 1; push <= MAX_PUSH_ATTEMPTS; push++) {
      const fetched = refresh();
      if (!fetched.ok) return { ok: false, message: fetched.message };
      snapshot = fetched.value;
      failure = undefined;
      const { tip } = readChain(store, env, playbook);
      const taken = snapshot.files.get(env) ?? new Map<string, string>();
      let composed: ReturnType<ComposeEvidence> | undefined;
      for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
        const candidate = compose(tip, attempt);
        if (!taken.has(candidate.name) && !(candidate.companions ?? []).some((c) => taken.has(c.name))) {
          composed = candidate;
          break;
        }
      }
      if (!composed) return { ok: false, message: `${MAX_NAME_ATTEMPTS} names taken in ${spec.url}:${env}/` };
      const commit = commitFiles(gitDir, snapshot.commit, env, composed);
      if (!commit.ok) return commit;
      const pushed = runGit(gitDir, ['push', '--porcelain', '--quiet', 'origin', `${commit.id}:refs/heads/${spec.branch}`]);
      if (pushed.ok) {
        // This process's later reads see its own file without another fetch.
        runGit(gitDir, ['update-ref', trackingRef, commit.id, ...(snapshot.commit ? [snapshot.commit] : [])]);
        snapshot = undefined;
        return { ok: true, name: composed.name, location: store.locate(env, composed.name) };
      }
      lastProblem = pushed.message;
      // Another writer got there first (or the remote was busy): back off, then re-link to the new tip.
      sleepMs(Math.floor(Math.random() * Math.min(1000, 40 * 2 ** Math.min(push, 5))));
    }
    return { ok: false, message: `the push was rejected ${MAX_PUSH_ATTEMPTS} times (last: ${lastProblem})` };
  }

  return store;
}

export function defaultCacheRoot(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rollout');
}

/** The cache repository, created whole (in a temp folder, renamed into place) so that concurrent first runs agree. */
function ensureCache(gitDir: string, remote: string): { ok: true } | { ok: false; message: string } {
  if (existsSync(join(gitDir, 'config'))) return { ok: true };
  const temp = `${gitDir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(temp, { recursive: true });
    const init = runGit(temp, ['init', '--bare', '--quiet']);
    if (!init.ok) return init;
    // The URL goes in the config file, not argv (where other users could read it in `ps`).
    writeFileSync(join(temp, 'config'), `[core]\n\trepositoryformatversion = 0\n\tbare = true\n[remote "origin"]\n\turl = "${remote.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`, { mode: 0o600 });
    try {
      renameSync(temp, gitDir);
    } catch (error) {
      if (!existsSync(join(gitDir, 'config'))) return { ok: false, message: `cannot create the cache ${gitDir}: ${(error as Error).message}` };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `cannot create the cache ${gitDir}: ${(error as Error).message}` };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * One `git fetch` of the branch. A branch that is not there yet is an empty store (created by
 * the first write). The tracking ref only moves forward: a branch whose history was rewritten
 * since this cache last saw it is a problem `evidence verify` reports.
 */
function fetchTip(gitDir: string, branch: string, trackingRef: string, problems: string[]): { ok: true; commit?: string } | { ok: false; message: string } {
  const before = revParse(gitDir, trackingRef);
  let last = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    const fetched = runGit(gitDir, ['fetch', '--no-tags', '--no-write-fetch-head', 'origin', `refs/heads/${branch}:${trackingRef}`]);
    if (fetched.ok) return { ok: true, commit: revParse(gitDir, trackingRef) };
    if (/couldn't find remote ref/i.test(fetched.stderr)) {
      if (before) {
        problems.push(`the branch ${branch} is gone; this machine last saw it at ${before}`);
        runGit(gitDir, ['update-ref', '-d', trackingRef]);
      }
      return { ok: true };
    }
    if (/non-fast-forward|\(rejected\)|! \[rejected\]/i.test(fetched.stderr)) {
      const forced = runGit(gitDir, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', 'origin', `+refs/heads/${branch}:${trackingRef}`]);
      if (!forced.ok) return forced;
      const after = revParse(gitDir, trackingRef);
      problems.push(`the history of ${branch} was rewritten: this machine last saw ${before}, which the branch (now ${after}) no longer contains`);
      return { ok: true, ...(after ? { commit: after } : {}) };
    }
    last = fetched.message;
    // A concurrent fetch into the same cache holds the ref's lock for a moment.
    if (!/cannot lock ref|unable to update local ref|\.lock/i.test(fetched.stderr)) break;
    sleepMs(20 + Math.floor(Math.random() * 80));
  }
  return { ok: false, message: last };
}

function revParse(gitDir: string, ref: string): string | undefined {
  const found = runGit(gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return found.ok ? found.stdout.toString('utf8').trim() || undefined : undefined;
}

function listTree(gitDir: string, commit: string): { ok: true; value: Snapshot } | { ok: false; message: string } {
  const listed = runGit(gitDir, ['ls-tree', '-r', '-z', commit]);
  if (!listed.ok) return listed;
  const files = new Map<string, Map<string, string>>();
  for (const entry of listed.stdout.toString('utf8').split('\0')) {
    const match = /^\d+ blob ([0-9a-f]+)\t([^/]+)\/([^/]+)$/.exec(entry);
    if (!match) continue;
    const [, id, env, name] = match;
    if (!files.has(env!)) files.set(env!, new Map());
    files.get(env!)!.set(name!, id!);
  }
  return { ok: true, value: { commit, files } };
}

/** Many blobs with one `git cat-file --batch`. */
function readBlobs(gitDir: string, ids: string[], into: Map<string, Buffer>): void {
  if (!ids.length) return;
  const read = runGit(gitDir, ['cat-file', '--batch'], { input: `${ids.join('\n')}\n` });
  if (!read.ok) return;
  const out = read.stdout;
  let at = 0;
  while (at < out.length) {
    const headerEnd = out.indexOf(0x0a, at);
    if (headerEnd < 0) break;
    const [id, type, size] = out.subarray(at, headerEnd).toString('utf8').split(' ');
    if (type !== 'blob' || size === undefined) {
      at = headerEnd + 1;
      continue;
    }
    const length = Number(size);
    into.set(id!, Buffer.from(out.subarray(headerEnd + 1, headerEnd + 1 + length)));
    at = headerEnd + 1 + length + 1;
  }
}

/** A commit of `<env>/<file>` (and its companions) on `parent`, built with a private index: no work tree. */
function commitFiles(gitDir: string, parent: string | undefined, env: string, composed: ReturnType<ComposeEvidence>): { ok: true; id: string } | { ok: false; message: string } {
  const index = join(gitDir, `index-${process.pid}-${randomBytes(4).toString('hex')}`);
  const withIndex = { env: { GIT_INDEX_FILE: index } };
  try {
    const base = runGit(gitDir, parent ? ['read-tree', parent] : ['read-tree', '--empty'], withIndex);
    if (!base.ok) return base;
    for (const file of [{ name: composed.name, text: composed.text }, ...(composed.companions ?? [])]) {
      const blob = runGit(gitDir, ['hash-object', '-w', '--stdin'], { input: file.text });
      if (!blob.ok) return blob;
      const added = runGit(gitDir, ['update-index', '--add', '--cacheinfo', `100644,${blob.stdout.toString('utf8').trim()},${env}/${file.name}`], withIndex);
      if (!added.ok) return added;
    }
    const tree = runGit(gitDir, ['write-tree'], withIndex);
    if (!tree.ok) return tree;
    const args = ['commit-tree', tree.stdout.toString('utf8').trim(), ...(parent ? ['-p', parent] : []), '-F', '-'];
    const message = `${verdictLine(composed.text)}\n\n${env}/${composed.name}\n`;
    let commit = runGit(gitDir, args, { input: message });
    // No identity configured (a bare CI image): say who ran it, as the evidence does.
    if (!commit.ok && /identity|tell me who you are|empty ident/i.test(commit.stderr)) {
      const who = { GIT_AUTHOR_NAME: currentUser(), GIT_AUTHOR_EMAIL: `${currentUser()}@${currentHost()}`, GIT_COMMITTER_NAME: currentUser(), GIT_COMMITTER_EMAIL: `${currentUser()}@${currentHost()}` };
      commit = runGit(gitDir, args, { input: message, env: who });
    }
    if (!commit.ok) return commit;
    return { ok: true, id: commit.stdout.toString('utf8').trim() };
  } finally {
    rmSync(index, { force: true });
  }
}

/** `Verdict: PASS (exit 0) — api check --env staging`, from the file's own lines. */
function verdictLine(text: string): string {
  const verdict = /^\*\*Verdict: ([A-Z-]+)\*\* \(exit (\d+)\)$/m.exec(text);
  const heading = /^# Evidence: (.*)$/m.exec(text);
  return `${verdict ? `Verdict: ${verdict[1]} (exit ${verdict[2]})` : 'Evidence'}${heading ? ` — ${heading[1]}` : ''}`;
}
