/** The link a file keeps to the file written before it in its (playbook, env) chain. */
export interface ChainLink {
  fileName: string;
  sha256: string;
}

export type AppendResult = { ok: true; name: string; location: string } | { ok: false; message: string };

/** A file stored beside an evidence file, in the same write (an attestation: `<file>.md.intoto.jsonl`). */
export interface CompanionFile {
  name: string;
  text: string;
}

/** What `append` asks of the writer, once the chain's tip is known: the file's name and text, and its companions. */
export type ComposeEvidence = (tip: ChainLink | undefined, attempt: number) => { name: string; text: string; companions?: CompanionFile[] };

/**
 * Where evidence lives. Every reader and writer goes through this: the writer at the end of a
 * run, the chain (verify, the previous link), evidence.recent, `${nodes.X}` read-back. Files
 * are grouped by environment and named; what is in them (playbook, links) is read from them,
 * never guessed from the store. Implementations: `file:DIR` (file-store.ts) and
 * `git+…#branch` (git-store.ts). Calls are synchronous: the git store runs `git` as a child
 * process and waits, which a one-shot CLI run can afford.
 */
export interface EvidenceStore {
  /** Where it is, for messages: `file:/abs/evidence`. */
  readonly url: string;
  /** Environments that hold evidence. */
  environments(): string[];
  /** The evidence file names of an environment, every playbook, in no promised order. */
  names(env: string): string[];
  /** One file's bytes as stored; undefined when it is not there. */
  read(env: string, name: string): Buffer | undefined;
  /** How to show a file to the user (a path, or a URL). */
  locate(env: string, name: string): string;
  /**
   * Adds one file of (playbook, env), serialised with every other append of that pair (in
   * this store, from any process): `compose` gets the chain's tip at that moment and the attempt
   * number (a name taken meanwhile is retried with the next); an existing file is never
   * replaced. Never throws; a store that cannot be written says why.
   */
  append(env: string, playbook: string, compose: ComposeEvidence): AppendResult;
  /** What the store itself noticed that the files cannot show (a branch whose history was rewritten). */
  integrityProblems?(): string[];
}
