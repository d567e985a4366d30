import { ciIdentity, currentHost, currentUser, gitCommit } from '../identity/identity.js';

/** Who runs this, where, from what — computed once per run, shared by locks, approvals and evidence. */
export interface RunIdentity {
  user: string;
  host: string;
  ci: string;
  pid: number;
  commandLine: string;
  gitCommit?: string;
}

export function identifyRun(commandLine: string, playbookDir: string, env: Record<string, string | undefined>): RunIdentity {
  const commit = gitCommit(playbookDir);
  return { user: currentUser(), host: currentHost(), ci: ciIdentity(env), pid: process.pid, commandLine, ...(commit ? { gitCommit: commit } : {}) };
}
