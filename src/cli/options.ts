/** The flags every running command shares, as commander hands them over. */
export interface CommonOptions {
  playbook: string;
  env?: string;
  only?: string;
  concurrency: string;
  reporter?: 'tty' | 'plain' | 'json' | 'junit' | 'markdown';
  output?: string;
  evidenceDir: string;
  at?: string;
  color: boolean;
  dryRun?: boolean;
  yes?: boolean;
  approve?: string[];
  approvals?: string;
  metricsFile?: string;
  pushgateway?: string;
}
