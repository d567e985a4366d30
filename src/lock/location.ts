import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The one folder per machine (and user) where (playbook, env) locks live, whatever the
 * working directory or evidence store: `$ROLLOUT_LOCK_DIR`, else `$XDG_RUNTIME_DIR/rollout/locks`
 * (per user, cleared at boot — as are the pids a lock names), else `<tmpdir>/rollout-locks-<uid>`.
 */
export function lockFolder(env: Record<string, string | undefined> = process.env): string {
  if (env.ROLLOUT_LOCK_DIR) return env.ROLLOUT_LOCK_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'rollout', 'locks');
  return join(tmpdir(), `rollout-locks-${process.getuid?.() ?? 'user'}`);
}

/**
 * The lock file of (playbook, env). Keyed by the playbook's name, not its path: two checkouts
 * of one playbook (two CI workspaces, a laptop's clone) change the same environment, so they
 * must exclude each other; two unrelated playbooks that share a name only wait for each other.
 */
export function lockPath(playbook: string, env: string, vars: Record<string, string | undefined> = process.env): { ok: true; path: string } | { ok: false; message: string } {
  const folder = lockFolder(vars);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = lstatSync(folder);
    // In a shared temp folder another user could have made this name first, or a link to elsewhere.
    if (!stat.isDirectory()) return { ok: false, message: `cannot take the lock: ${folder} is not a folder (a symlink or a file is in its place); remove it` };
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) return { ok: false, message: `cannot take the lock: ${folder} belongs to another user (uid ${stat.uid}); set ROLLOUT_LOCK_DIR to a folder of yours` };
  } catch (error) {
    return { ok: false, message: `cannot take the lock: cannot create ${folder}: ${(error as Error).message}` };
  }
  const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const key = createHash('sha256').update(`${playbook}\u0000${env}`).digest('hex').slice(0, 12);
  return { ok: true, path: join(folder, `${slug(playbook)}--${slug(env)}-${key}.lock`) };
}
