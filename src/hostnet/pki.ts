// A lab's own PKI for OVS's ssl:/pssl: OpenFlow: one CA per lab, one certificate and key per
// member (each host's switches, the controller), made with openssl (a dependency of Debian's
// openvswitch-common). One CA rather than ovs-pki's pair of CAs (controllerca, switchca): the lab
// is one trust domain, and a certificate from another lab's CA is refused by both sides. Keys are
// EC P-256 (fast to make, accepted by OVS's OpenSSL). An existing member whose certificate the CA
// still verifies is kept, so regenerating a lab does not invalidate switches already deployed.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from './exec.js';

const OPENSSL = 'openssl';
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Ten years: a lab's certificates should not expire under a long-lived deployment. */
const DAYS = '3650';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface PkiLayout {
  ca: string;
  caKey: string;
  /** `<member>-privkey.pem` / `<member>-cert.pem` beside the CA. */
  member: (name: string) => { key: string; cert: string };
}

export function pkiLayout(dir: string): PkiLayout {
  return {
    ca: join(dir, 'cacert.pem'),
    caKey: join(dir, 'ca-privkey.pem'),
    member: (name) => ({ key: join(dir, `${name}-privkey.pem`), cert: join(dir, `${name}-cert.pem`) }),
  };
}

export interface PkiResult {
  dir: string;
  /** Members (and `ca`) made by this call. */
  made: string[];
  /** Members (and `ca`) that were there and verified. */
  kept: string[];
}

const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => null)) !== null;

function pkiError(what: string, cause: unknown): FabricError {
  return new FabricError('E_PKI', `could not make the lab PKI: ${what}`, {
    hint: 'openssl comes with openvswitch-common (apt-get install openssl); check that the output folder is writable',
    cause,
  });
}

async function verifies(l: PkiLayout, cert: string): Promise<boolean> {
  const r = await tryRun(OPENSSL, ['verify', '-CAfile', l.ca, cert]);
  return r.exitCode === 0;
}

/** Makes (or keeps) the lab's CA and one certificate per member in `dir`. */
export async function ensureLabPki(dir: string, lab: string, members: string[]): Promise<PkiResult> {
  for (const n of [lab, ...members])
    if (!NAME.test(n)) throw new FabricError('E_PKI', `refusing a PKI name ${JSON.stringify(n)}`);
  const l = pkiLayout(dir);
  const out: PkiResult = { dir, made: [], kept: [] };
  try {
    await mkdir(dirname(dir), { recursive: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await exists(l.ca)) && (await exists(l.caKey))) out.kept.push('ca');
    else {
      await run(OPENSSL, [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        l.caKey,
        '-out',
        l.ca,
        '-days',
        DAYS,
        '-subj',
        `/O=fabric/OU=${lab}/CN=fabric lab ${lab} CA`,
      ]);
      await chmod(l.caKey, 0o600);
      out.made.push('ca');
    }
    for (const m of members) {
      const f = l.member(m);
      if (out.kept.includes('ca') && (await exists(f.key)) && (await exists(f.cert)) && (await verifies(l, f.cert))) {
        out.kept.push(m);
        continue;
      }
      const req = join(dir, `${m}-req.pem`);
      await run(OPENSSL, [
        'req',
        '-new',
        ...EC_KEY,
        '-keyout',
        f.key,
        '-out',
        req,
        '-subj',
        `/O=fabric/OU=${lab}/CN=${m}`,
      ]);
      await chmod(f.key, 0o600);
      await run(OPENSSL, [
        'x509',
        '-req',
        '-in',
        req,
        '-CA',
        l.ca,
        '-CAkey',
        l.caKey,
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-days',
        DAYS,
        '-out',
        f.cert,
      ]);
      await rm(req, { force: true });
      out.made.push(m);
    }
  } catch (err) {
    if (err instanceof FabricError && err.code === 'E_PKI') throw err;
    throw pkiError(err instanceof Error ? err.message : String(err), err);
  }
  return out;
}
