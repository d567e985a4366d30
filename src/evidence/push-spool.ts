import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { checkEvidenceText, sha256 } from './check-file.js';
import { DIGEST_PREFIX } from './render.js';
import type { ChainLink, CompanionFile, EvidenceStore } from './store.js';

export interface PushedFile {
  spooled: string;
  /** Where it went; absent when it stayed in the spool (then `message` says why). */
  location?: string;
  message?: string;
}

/**
 * Uploads what the spool kept (`<spool>/<env>/<file>.md`), oldest name first, each linked to
 * the store's chain tip at the moment it is stored (and renamed when its name is taken), then
 * removed from the spool. A file that does not verify stays where it is, named.
 */
export function pushSpool(store: EvidenceStore, spoolDir = join('.rollout', 'spool')): PushedFile[] {
  const pushed: PushedFile[] = [];
  for (const env of list(spoolDir, true)) {
    const folder = join(spoolDir, env);
    const all = list(folder, false);
    for (const name of all.filter((n) => n.endsWith('.md') && !n.startsWith('.'))) {
      const path = join(folder, name);
      const text = readFileSync(path, 'utf8');
      const check = checkEvidenceText(text, name);
      if (!check.ok || !check.report) {
        pushed.push({ spooled: path, message: `not pushed: ${check.message}` });
        continue;
      }
      const companionNames = all.filter((n) => n.startsWith(`${name}.`));
      const companions = companionNames.map((n) => ({ name: n, text: readFileSync(join(folder, n), 'utf8') }));
      const stored = store.append(env, check.report.playbook.name, (tip, attempt) => relinkEvidence(text, name, check.report!.previous, tip, attempt, companions));
      if (!stored.ok) {
        pushed.push({ spooled: path, message: `not pushed: ${stored.message}` });
        continue;
      }
      for (const file of [name, ...companionNames]) unlinkSync(join(folder, file));
      pushed.push({ spooled: path, location: stored.location });
    }
  }
  return pushed;
}

/**
 * The same evidence linked to `tip`: the Previous row and the report's `previous` rewritten,
 * the name suffixed when `attempt` > 1, the digest recomputed. A companion that speaks of the
 * file's bytes (a signature) holds only while the bytes are unchanged; otherwise it is left out.
 */
export function relinkEvidence(text: string, name: string, linked: ChainLink | null, tip: ChainLink | undefined, attempt: number, companions: CompanionFile[] = []): { name: string; text: string; companions: CompanionFile[] } {
  const newName = attempt === 1 ? name : `${name.replace(/(-\d+)?\.md$/, '')}-${attempt}.md`;
  const unchanged = newName === name && (linked?.fileName ?? null) === (tip?.fileName ?? null) && (linked?.sha256 ?? null) === (tip?.sha256 ?? null);
  if (unchanged) return { name, text, companions };
  let body = text.slice(0, text.lastIndexOf(DIGEST_PREFIX));
  body = body.replace(/^\| Previous evidence \| .* \|$/m, `| Previous evidence | ${tip ? `\`${tip.fileName}\` sha256:${tip.sha256}` : 'none'} |`);
  const reportAt = body.lastIndexOf('\n```json\n');
  const reportEnd = body.indexOf('\n```', reportAt + 8);
  let report = body.slice(reportAt, reportEnd);
  const previousAt = report.lastIndexOf('\n  "previous": ');
  const previous = JSON.stringify({ previous: tip ?? null }, null, 2).slice(1, -2);
  report = `${report.slice(0, previousAt)}${previous}\n}`;
  if (newName !== name) report = report.replace(`"evidence": ${JSON.stringify(name)}`, `"evidence": ${JSON.stringify(newName)}`);
  body = `${body.slice(0, reportAt)}${report}${body.slice(reportEnd)}`;
  // After the report is put back: the offsets above are of the body before this edit.
  if (newName !== name) body = body.replace(`| File | \`${name}\` |`, `| File | \`${newName}\` |`);
  return { name: newName, text: `${body}${DIGEST_PREFIX}${sha256(body)} -->\n`, companions: [] };
}

function list(dir: string, folders: boolean): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => (folders ? e.isDirectory() : e.isFile()) && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}
