import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../../src/sdk/index.js';

export interface KeyPair {
  key: string;
  cert: string;
  certPath: string;
}

export interface TestPki {
  dir: string;
  /** The test CA (its certificate is what a node passes as `ca`). */
  ca: KeyPair;
  /** Issued by the CA for `names` (DNS or IP), valid from `from` to `to`. */
  issue(cn: string, names: string[], from?: Date, to?: Date): Promise<KeyPair>;
  /** Signed by its own key. */
  selfSigned(cn: string, names: string[]): Promise<KeyPair>;
  remove(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await runProcess(['openssl', ...args], { cwd });
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}${result.startError ?? ''}`);
}

const san = (names: string[]) => `subjectAltName=${names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`;
const opensslDate = (date: Date) => date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z').slice(2);

/**
 * A throwaway PKI made with openssl in a temp dir: `openssl ca` because only it sets arbitrary
 * start and end dates (an already expired certificate). Keys never leave the temp dir.
 */
export async function createPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-tls-'));
  let serial = 0;
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  await writeFile(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n',
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Rollout Test CA'], dir);
  const read = async (name: string): Promise<KeyPair> => ({
    key: await readFile(join(dir, `${name}.key`), 'utf8'),
    cert: await readFile(join(dir, `${name}.pem`), 'utf8'),
    certPath: join(dir, `${name}.pem`),
  });
  return {
    dir,
    ca: await read('ca'),
    async issue(cn, names, from = new Date(Date.now() - 86_400_000), to = new Date(Date.now() + 60 * 86_400_000)) {
      const name = `leaf${++serial}`;
      await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`, '-addext', san(names)], dir);
      await openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', '-startdate', opensslDate(from), '-enddate', opensslDate(to)], dir);
      return read(name);
    },
    async selfSigned(cn, names) {
      const name = `self${++serial}`;
      await openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '90', '-subj', `/CN=${cn}`, '-addext', san(names)], dir);
      return read(name);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
