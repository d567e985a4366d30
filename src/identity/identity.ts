import { execFileSync } from 'node:child_process';
import { hostname, userInfo } from 'node:os';

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function currentHost(): string {
  return hostname();
}

/** Who is running this in CI, when it is CI. */
export function ciIdentity(env: Record<string, string | undefined> = process.env): string {
  if (env.GITHUB_ACTIONS) return `GitHub Actions ${env.GITHUB_REPOSITORY ?? ''} run ${env.GITHUB_RUN_ID ?? '?'} by ${env.GITHUB_ACTOR ?? '?'}`.replace(/\s+/g, ' ');
  if (env.GITLAB_CI) return `GitLab CI ${env.CI_PROJECT_PATH ?? ''} job ${env.CI_JOB_ID ?? '?'} by ${env.GITLAB_USER_LOGIN ?? '?'}`.replace(/\s+/g, ' ');
  if (env.BUILDKITE) return `Buildkite ${env.BUILDKITE_PIPELINE_SLUG ?? ''} build ${env.BUILDKITE_BUILD_NUMBER ?? '?'}`;
  if (env.JENKINS_URL) return `Jenkins ${env.JOB_NAME ?? ''} #${env.BUILD_NUMBER ?? '?'}`;
  if (env.CI) return 'CI (provider unknown)';
  return 'none (interactive)';
}

export function gitCommit(dir: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}
