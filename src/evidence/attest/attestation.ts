import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isValidAt, signersOf, type TrustedKeys, type TrustedSigner } from './allowed-signers.js';
import { IN_TOTO_PAYLOAD_TYPE, readEnvelope, signEnvelope, verifySignature } from './dsse.js';
import type { SigningKey } from './ssh-key.js';
import { buildStatement, playbookSubjectName, STATEMENT_TYPE, TEST_RESULT_PREDICATE, type AttestedRun, type TestResultStatement } from './statement.js';

/** `2026-...-api-check.md` → `2026-...-api-check.intoto.jsonl`, beside it. */
export function attestationName(evidenceName: string): string {
  return `${evidenceName.replace(/\.md$/, '')}.intoto.jsonl`;
}

/** A store location as a URL: a path (absolute or not) becomes `file://`, a URL stays. */
export function locationUrl(location: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(location) ? location : pathToFileURL(resolve(location)).href;
}

/**
 * The attestation of one evidence file, as the store should hold it beside the file: one DSSE
 * envelope (a JSON line) of the in-toto statement, signed with `key`. Pure: the caller stores it.
 */
export function composeAttestation(evidence: { name: string; text: string | Buffer }, run: AttestedRun, location: string, key: SigningKey): { name: string; text: string } {
  const statement = buildStatement(run, { name: evidence.name, sha256: sha256(typeof evidence.text === 'string' ? Buffer.from(evidence.text, 'utf8') : evidence.text), url: locationUrl(location) });
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), key);
  return { name: attestationName(evidence.name), text: `${JSON.stringify(envelope)}\n` };
}

export type AttestationCheck = { ok: true; keyid: string; signers: TrustedSigner[]; message: string } | { ok: false; message: string };

export interface AttestedFile {
  name: string;
  /** The sha256 of the file's bytes as stored now. */
  sha256: string;
  /** The playbook the evidence file records, when it could be read. */
  playbook?: { file: string; sha256: string };
}

/**
 * Does a trusted key vouch for this evidence file as it is now? The attestation must hold an
 * in-toto envelope signed (over DSSE's PAE) by a key of `trusted` valid at `now`, whose
 * statement names the file with its current sha256 and the playbook the file records.
 * The signature is checked before the statement is believed.
 */
export function checkAttestation(file: AttestedFile, attestation: Buffer | undefined, trusted: TrustedKeys, now: Date): AttestationCheck {
  if (!attestation) return { ok: false, message: `no attestation (${attestationName(file.name)} is missing)` };
  const lines = attestation.toString('utf8').split('\n').filter((l) => l.trim());
  if (!lines.length) return { ok: false, message: `the attestation ${attestationName(file.name)} is empty` };
  const failures: string[] = [];
  for (const [index, line] of lines.entries()) {
    const checked = checkLine(line, file, trusted, now);
    if (checked.ok) return checked;
    failures.push(lines.length > 1 ? `${checked.message} (line ${index + 1})` : checked.message);
  }
  return { ok: false, message: failures.join('; ') };
}

function checkLine(line: string, file: AttestedFile, trusted: TrustedKeys, now: Date): AttestationCheck {
  const envelope = readEnvelope(line);
  if (!envelope) return { ok: false, message: 'the attestation is not a DSSE envelope' };
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, message: `the envelope's payloadType is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}` };
  if (!envelope.signatures.length) return { ok: false, message: 'the envelope is not signed' };
  let verified: { keyid: string; signers: TrustedSigner[] } | undefined;
  const reasons: string[] = [];
  for (const signature of envelope.signatures) {
    const keyid = signature.keyid ?? '';
    // keyid is an unsigned hint: a signature with none, or an unknown one, is tried with every trusted key.
    const named = signersOf(trusted, keyid, now);
    const candidates = named.length ? named : trusted.signers.filter((s) => isValidAt(s, now));
    const good = candidates.filter((s) => verifySignature(envelope, signature.sig, s.publicKey));
    if (good.length) {
      verified = { keyid: good[0]!.keyid, signers: good.filter((s) => s.keyid === good[0]!.keyid) };
      break;
    }
    reasons.push(named.length ? `bad signature by ${keyid}: the envelope was changed, or signed by another key` : `signed by ${keyid || 'a key with no keyid'}, which is not a trusted key`);
  }
  if (!verified) return { ok: false, message: reasons.join('; ') };
  let statement: Partial<TestResultStatement>;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Partial<TestResultStatement>;
  } catch {
    return { ok: false, message: 'the signed payload is not JSON' };
  }
  if (statement._type !== STATEMENT_TYPE) return { ok: false, message: `the payload is not an in-toto Statement v1 (_type ${JSON.stringify(statement._type)})` };
  if (statement.predicateType !== TEST_RESULT_PREDICATE) return { ok: false, message: `the predicateType is ${JSON.stringify(statement.predicateType)}, not ${TEST_RESULT_PREDICATE}` };
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const own = subjects.find((s) => s?.name === file.name);
  if (!own) return { ok: false, message: `the attestation does not name ${file.name} as a subject (it attests another file)` };
  if (own.digest?.sha256 !== file.sha256) return { ok: false, message: `subject digest mismatch: ${file.name} changed after it was signed` };
  const playbook = file.playbook && { name: playbookSubjectName(file.playbook.file), sha256: file.playbook.sha256 };
  if (playbook && !subjects.some((s) => s?.name === playbook.name && s.digest?.sha256 === playbook.sha256)) {
    return { ok: false, message: `subject digest mismatch: the playbook subject is not ${playbook.name} (sha256 ${playbook.sha256}) that the evidence records` };
  }
  const principals = [...new Set(verified.signers.flatMap((s) => s.principals))];
  return { ok: true, keyid: verified.keyid, signers: verified.signers, message: `signed by ${principals.join(',')} (${verified.keyid})` };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
