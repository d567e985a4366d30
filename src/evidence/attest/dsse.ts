import { sign, verify, type KeyObject } from 'node:crypto';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Envelope {
  payloadType: string;
  /** Standard base64 of the payload bytes. */
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

/**
 * DSSE's pre-authentication encoding, what is signed (DSSE v1 protocol):
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
 */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'utf8'), type, Buffer.from(` ${payload.length} `, 'utf8'), payload]);
}

export function signEnvelope(payloadType: string, payload: Buffer, key: { privateKey: KeyObject; keyid: string }): Envelope {
  const sig = sign(null, pae(payloadType, payload), key.privateKey).toString('base64');
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: key.keyid, sig }] };
}

export function verifySignature(envelope: Envelope, sig: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** One line of a `.intoto.jsonl` file, shape-checked; undefined when it is not an envelope. */
export function readEnvelope(line: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const e = value as Partial<Envelope> | null;
  if (!e || typeof e.payloadType !== 'string' || typeof e.payload !== 'string' || !Array.isArray(e.signatures)) return undefined;
  if (!e.signatures.every((s) => s && typeof s.sig === 'string' && (s.keyid === undefined || typeof s.keyid === 'string'))) return undefined;
  return e as Envelope;
}
