import { checkEvidenceText, sha256, type FileCheck } from './check-file.js';
import type { ChainLink, EvidenceStore } from './store.js';

export interface StoredEvidence {
  name: string;
  sha256: string;
  check: FileCheck;
}

export interface ChainProblem {
  name: string;
  message: string;
}

export interface Chain {
  /** The files that verify and sit on the chain, in the order they were written. */
  ordered: StoredEvidence[];
  /** Files that verify but are not on the chain (a fork, a gap, an insertion), with why. */
  offChain: Array<StoredEvidence & { message: string }>;
  /** What the next file links to. */
  tip?: ChainLink;
}

/** Reads one file of an environment and checks it on its own. */
export function readStored(store: EvidenceStore, env: string, name: string): StoredEvidence {
  const bytes = store.read(env, name);
  if (!bytes) return { name, sha256: '', check: { ok: false, message: 'cannot read the file' } };
  return { name, sha256: sha256(bytes), check: checkEvidenceText(bytes.toString('utf8'), name) };
}

/**
 * The evidence of (playbook, env), each file checked: `mine` (the playbook named inside the
 * file is exactly this one) ordered into its chain, and `unreadable` files whose name is this
 * playbook's but whose content cannot be trusted to say so.
 */
export function readChain(store: EvidenceStore, env: string, playbook: string): Chain & { unreadable: StoredEvidence[] } {
  const names = store.names(env);
  // Every file of this playbook has the name in its file name; the content decides.
  const candidates = names.filter((n) => n.includes(`-${playbook}-`)).map((n) => readStored(store, env, n));
  const mine = candidates.filter((f) => f.check.ok && f.check.report?.playbook.name === playbook);
  const own = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d.-]+Z-${escape(playbook)}-(check|promote|rollback|watch)(-dry-run)?(-partial)?(-\\d+)?\\.md$`);
  const unreadable = candidates.filter((f) => !f.check.ok && own.test(f.name));
  return { ...orderChain(mine, new Set(names)), unreadable };
}

/**
 * Orders files of one (playbook, env) by their links, not their names: a name is the run's
 * start time, a link is made when the file is written, and runs overlap and clocks are wrong.
 * The chain starts at the file that follows none and goes on to the file that follows it by
 * name and sha256. Where the links allow more than one chain, the longest is taken; every file
 * left out — a second file following the same one, a file following one that is gone or
 * changed — is named with the reason.
 */
export function orderChain(files: StoredEvidence[], present: Set<string>): Chain {
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const linkOf = (f: StoredEvidence) => f.check.report?.previous ?? null;
  const successors = new Map<string, StoredEvidence[]>();
  for (const file of sorted) {
    const link = linkOf(file);
    if (!link) continue;
    const key = `${link.fileName}\u0000${link.sha256}`;
    successors.set(key, [...(successors.get(key) ?? []), file]);
  }
  const next = (f: StoredEvidence) => successors.get(`${f.name}\u0000${f.sha256}`) ?? [];
  // How long a chain goes on from each file; iterative, as a chain may hold thousands of files.
  // Links cannot loop without a sha256 collision; `entered` keeps a forged loop finite anyway.
  const depth = new Map<string, number>();
  const entered = new Set<string>();
  const depthOf = (root: StoredEvidence): number => {
    const stack: Array<[StoredEvidence, boolean]> = [[root, false]];
    while (stack.length) {
      const [file, expanded] = stack.pop()!;
      if (depth.has(file.name)) continue;
      if (expanded) {
        depth.set(file.name, 1 + Math.max(0, ...next(file).map((s) => depth.get(s.name) ?? 0)));
        continue;
      }
      if (entered.has(file.name)) continue;
      entered.add(file.name);
      stack.push([file, true], ...next(file).map((s): [StoredEvidence, boolean] => [s, false]));
    }
    return depth.get(root.name) ?? 0;
  };
  const longest = (candidates: StoredEvidence[]) => candidates.reduce<StoredEvidence | undefined>((best, f) => (!best || depthOf(f) > depthOf(best) ? f : best), undefined);

  const starts = sorted.filter((f) => !linkOf(f));
  const ordered: StoredEvidence[] = [];
  const onChain = new Set<string>();
  const offChain: Chain['offChain'] = [];
  const forks = new Map<string, string>();
  let current = longest(starts);
  while (current && !onChain.has(current.name)) {
    ordered.push(current);
    onChain.add(current.name);
    const following = next(current);
    const chosen = longest(following);
    for (const other of following) if (other !== chosen && chosen) forks.set(other.name, `chain broken: it and ${chosen.name} both follow ${current.name} (a fork)`);
    current = chosen;
  }
  const byName = new Map(sorted.map((f) => [f.name, f]));
  const first = ordered[0];
  for (const file of sorted) {
    if (onChain.has(file.name)) continue;
    const link = linkOf(file);
    let message = forks.get(file.name);
    if (!message && !link) message = `chain broken: it claims no predecessor, but the chain starts at ${first?.name ?? 'another file'}`;
    else if (!message && link) {
      const before = byName.get(link.fileName);
      if (!present.has(link.fileName)) message = `chain broken: it follows ${link.fileName}, which is missing`;
      else if (!before || before.sha256 !== link.sha256) message = `chain broken: ${link.fileName} changed since`;
      else message = `chain broken: it follows ${link.fileName}, which is not on the chain`;
    }
    offChain.push({ ...file, message: message! });
  }
  const end = ordered[ordered.length - 1] ?? sorted.filter((f) => !next(f).length).pop();
  return { ordered, offChain, ...(end ? { tip: { fileName: end.name, sha256: end.sha256 } } : {}) };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
