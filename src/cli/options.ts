/** The flags every running command shares, as commander hands them over. */
export interface CommonOptions {
  playbook: string;
  /** Set by discovery when -p was not given. */
  playbookFoundBy?: 'ROLLOUT_PLAYBOOK' | 'current folder' | 'parent folder' | 'default';
  env?: string;
  only?: string;
  concurrency: string;
  reporter?: 'tty' | 'plain' | 'json' | 'junit' | 'markdown';
  output?: string;
  evidenceDir?: string;
  evidenceStore?: string;
  at?: string;
  color: boolean;
  dryRun?: boolean;
  yes?: boolean;
  approve?: string[];
  approvals?: string;
  metricsFile?: string;
  pushgateway?: string;
}

/** `--evidence-store URL`, else `--evidence-dir DIR` as `file:DIR`; absent: the session picks (env var, playbook, default). */
export function namedEvidenceStore(opts: { evidenceStore?: string; evidenceDir?: string }): string | undefined {
  if (opts.evidenceStore !== undefined) return opts.evidenceStore;
  return opts.evidenceDir !== undefined ? `file:${opts.evidenceDir}` : undefined;
}
