import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const PLAYBOOK_NAMES = ['rollout.yaml', 'rollout.yml', join('.rollout', 'rollout.yaml')];

export interface Discovered {
  file: string;
  /** How it was found, for the line that tells the user. */
  how: 'ROLLOUT_PLAYBOOK' | 'current folder' | 'parent folder' | 'default';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The playbook when -p is not given: ROLLOUT_PLAYBOOK, else rollout.yaml / rollout.yml /
 * .rollout/rollout.yaml in this folder or a parent up to the git root. Outside a git
 * repository only the current folder counts: a stray playbook in $HOME must not be picked up.
 */
export function discoverPlaybook(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Discovered {
  if (env.ROLLOUT_PLAYBOOK) return { file: env.ROLLOUT_PLAYBOOK, how: 'ROLLOUT_PLAYBOOK' };
  const root = gitRootOf(cwd);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of PLAYBOOK_NAMES) {
      const candidate = join(dir, name);
      if (isFile(candidate)) {
        const rel = relative(cwd, candidate);
        return dir === resolve(cwd) ? { file: `./${rel}`, how: 'current folder' } : { file: rel, how: 'parent folder' };
      }
    }
    if (!root || dir === root || dirname(dir) === dir) break;
  }
  return { file: './rollout.yaml', how: 'default' };
}

function gitRootOf(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
