/** The link a file keeps to the file written before it in its (playbook, env) chain. */
export interface ChainLink {
  fileName: string;
  sha256: string;
}

export type AppendResult = { ok: true; name: string; location: string } | { ok: false; message: string };

/** What `append` asks of the writer, once the chain's tip is known: the file's name and text. */
export type ComposeEvidence = (tip: ChainLink | undefined, attempt: number) => { name: string; text: string };

/**
 * Where evidence lives. Every reader and writer goes through this: the writer at the end of a
 * run, the chain (verify, the previous link), evidence.recent, `${nodes.X}` read-back. Files
 * are grouped by environment and named; what is in them (playbook, links) is read from them,
 * never guessed from the store. Implementations: `file:DIR` (file-store.ts); a git branch is
 * meant to fit the same four calls.
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
}
