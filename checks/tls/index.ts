import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { defineCheck, loadCa, type CheckContext, type CheckResult, type LabelledValue } from '../../src/sdk/index.js';

const DAY_MS = 86_400_000;
const LEGACY_VERSIONS: SecureVersion[] = ['TLSv1', 'TLSv1.1'];

const params = z.strictObject({
  host: z.string().min(1).describe('The server to connect to (name or IP address).'),
  // A port from `${env:PORT}` arrives as text.
  port: z.union([z.number(), z.string().regex(/^\d+$/, 'expected a port number').transform(Number)]).pipe(z.number().int().min(1).max(65535)).default(443).describe('TCP port (default 443; its digits as text also do: `${env:PORT}`).'),
  servername: z.string().min(1).optional().describe('The name the certificate must carry and the SNI sent (default: host, when it is a name).'),
  ca: z.string().min(1).optional().describe('A PEM bundle to verify the chain against (inline or a path relative to the playbook); default: the system CAs.'),
});

type Params = z.output<typeof params>;

const OBSERVES = ['daysLeft', 'selfSigned', 'hostnameMatches', 'verified', 'issuer', 'legacyProtocols'] as const;
type Observe = (typeof OBSERVES)[number];

interface Certificate {
  x509: X509Certificate;
  peer: PeerCertificate;
  verifyError?: string;
}

type Failure = { down: string } | { error: string };

export default defineCheck({
  kind: 'tls',
  summary: "A TLS server's certificate: days left, self-signed, host name, chain, legacy protocols",
  description:
    'Handshakes with the server (nothing is sent after it) and observes one fact of its certificate. ' +
    'Probes the service itself: a refused connection or an unknown host is `fail`; only a timeout is `error`.',
  params,
  observes: 'any',
  observeChoices: {
    default: 'daysLeft',
    patterns: OBSERVES.map((name) => new RegExp(`^${name}$`)),
    help: [
      'daysLeft (default; days until notAfter, negative once expired)',
      'selfSigned (true when the leaf certificate signed itself)',
      'hostnameMatches (the certificate names servername/host)',
      'verified (the chain verifies against ca or the system CAs)',
      'issuer (the issuer distinguished name)',
      'legacyProtocols (TLSv1 and TLSv1.1, each accepted or refused)',
    ],
  },
  defaultExpect: (observe) =>
    ({ daysLeft: '>= 14', selfSigned: '== false', hostnameMatches: '== true', verified: '== true', legacyProtocols: '== refused' })[observe ?? 'daysLeft'],
  mutates: false,
  examples: [
    '- id: cert-valid\n  uses: tls\n  with: { host: api.example.com }\n  expect: ">= 21"',
    '- id: not-self-signed\n  uses: tls\n  with: { host: api.example.com }\n  observe: selfSigned',
    '- id: no-tls-1-0\n  uses: tls\n  with: { host: api.example.com }\n  observe: legacyProtocols',
  ],
  async run(p, ctx) {
    const observe = (ctx.observe ?? 'daysLeft') as Observe;
    const ca = await loadCa(p.ca, ctx.cwd, 'ca');
    if (typeof ca === 'object') return ca;
    const target = `${p.host}:${p.port}`;
    if (observe === 'legacyProtocols') return observeLegacyProtocols(p, ctx, target);
    const certificate = await readCertificate(p, ca, ctx.signal);
    if ('down' in certificate) return { status: 'fail', reasons: [`${target}: ${certificate.down}`] };
    if ('error' in certificate) return certificate;
    return observeCertificate(observe, certificate, p, ctx, target);
  },
});

function observeCertificate(observe: Observe, certificate: Certificate, p: Params, ctx: CheckContext, target: string): CheckResult {
  const { x509, peer } = certificate;
  const name = nameToCheck(p);
  const identityError = checkServerIdentity(name, peer);
  const facts = {
    daysLeft: Math.round(((Date.parse(x509.validTo) - ctx.now().getTime()) / DAY_MS) * 100) / 100,
    selfSigned: x509.checkIssued(x509) !== false && x509.verify(x509.publicKey),
    hostnameMatches: identityError === undefined,
    verified: certificate.verifyError === undefined,
    issuer: x509.issuer.replace(/\n/g, ', '),
  };
  const notes = [
    `${target}: subject ${x509.subject.replace(/\n/g, ', ')}; issuer ${facts.issuer}`,
    `valid ${x509.validFrom} → ${x509.validTo} (${facts.daysLeft} days left)`,
    facts.hostnameMatches ? `names ${name}` : `does not name ${name}: ${identityError?.message}`,
    certificate.verifyError ? `chain does not verify: ${certificate.verifyError}` : 'chain verifies',
  ];
  ctx.log(notes.join('; '));
  return { observed: facts[observe as keyof typeof facts], details: { notes }, outputs: { ...facts, validTo: new Date(x509.validTo).toISOString() } };
}

function nameToCheck(p: Params): string {
  return p.servername ?? p.host;
}

/** One handshake that accepts any certificate, so an expired or foreign one is observed rather than hidden. */
function readCertificate(p: Params, ca: string | undefined, signal: AbortSignal): Promise<Certificate | Failure> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: `${p.host}:${p.port}: no handshake within the timeout` });
    const name = nameToCheck(p);
    const socket = connect({ host: p.host, port: p.port, servername: isIP(name) ? undefined : name, ca, rejectUnauthorized: false });
    const onAbort = (): void => {
      socket.destroy();
      resolve({ error: `no handshake within the timeout` });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      const peer = socket.getPeerCertificate();
      const verifyError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      socket.end();
      if (!peer?.raw) return resolve({ down: 'the server presented no certificate' });
      resolve({ x509: new X509Certificate(peer.raw), peer, verifyError });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(classify(error));
    });
  });
}

function classify(error: NodeJS.ErrnoException): Failure {
  const code = error.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return { down: `${code} (${error.message})` };
  return { down: `TLS handshake failed: ${error.message}` };
}

/** Each legacy version on its own handshake: a server that negotiates it "accepts" it. */
async function observeLegacyProtocols(p: Params, ctx: CheckContext, target: string): Promise<CheckResult> {
  const observed: LabelledValue[] = [];
  for (const version of LEGACY_VERSIONS) {
    const outcome = await tryVersion(p, version, ctx.signal);
    if (typeof outcome === 'object') {
      if ('down' in outcome) return { status: 'fail', reasons: [`${target}: ${outcome.down}`] };
      return outcome;
    }
    observed.push({ name: version, value: outcome });
  }
  ctx.log(`${target}: ${observed.map((v) => `${v.name} ${v.value}`).join(', ')}`);
  return { observed, quantifier: 'all' };
}

function tryVersion(p: Params, version: SecureVersion, signal: AbortSignal): Promise<'accepted' | 'refused' | Failure> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: 'no handshake within the timeout' });
    const name = nameToCheck(p);
    const socket = connect({
      host: p.host,
      port: p.port,
      servername: isIP(name) ? undefined : name,
      rejectUnauthorized: false,
      minVersion: version,
      maxVersion: version,
      // Our own OpenSSL would refuse TLS 1.0 before the server is asked; level 0 lets the server answer.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const onAbort = (): void => {
      socket.destroy();
      resolve({ error: 'no handshake within the timeout' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.end();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      const code = error.code ?? '';
      // Connection-level failures mean the server is down, not that it refused the version.
      if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return resolve(classify(error));
      resolve('refused');
    });
  });
}
