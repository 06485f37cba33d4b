// The hosts file of a scale-out lab: which machines run it, at which address the others reach
// each one, and optionally how much of the lab it may take. Every problem is collected and
// located (file:line:col) before anything is placed or written.
import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ErrorCode } from '../errors/codes/index.js';
import { DiagnosticBag, DiagnosticsError, type Diagnostic } from '../errors/diagnostics.js';
import { FabricError } from '../errors/fabric-error.js';
import { sortDiagnostics } from '../topology/load.js';
import { SourceMap, type DocPath } from '../topology/locate.js';

export interface HostSpec {
  name: string;
  /** Unicast IPv4 address the other hosts reach this one at (the VXLAN remote). */
  address: string;
  /** Weight this host may carry (a node weighs 1, a QEMU guest GUEST_WEIGHT); absent: an even share. */
  capacity?: number;
  /** MTU of the network between the hosts, when known: stitched links are checked against it. */
  mtu?: number;
  /** Address on the lab's management network: the only one its OpenFlow listeners bind to. */
  mgmt?: string;
  /** Position in the file, for later located problems (capacity, MTU). */
  path: DocPath;
}

export interface HostsFile {
  file: string;
  hosts: HostSpec[];
  /** First VNI of the lab's cross-host links. */
  vniBase: number;
  src: SourceMap;
}

/** containerlab's own default VXLAN port for `type: vxlan` links: clear of a host's own 4789. */
export const STITCH_DST_PORT = 14789;
export const DEFAULT_VNI_BASE = 10000;
export const MAX_VNI = 16777215;
const HOST_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOST_KEYS = ['name', 'address', 'capacity', 'mtu', 'mgmt'];
const TOP_KEYS = ['hosts', 'vni_base'];

/** Why an address is not a usable unicast IPv4 host address, or undefined when it is one. */
export function unicastProblem(text: string): string | undefined {
  const m = DOTTED.exec(text);
  if (!m) return 'is not a dotted-quad IPv4 address';
  const o = m.slice(1, 5).map(Number);
  if (o.some((x, i) => x > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0'))))
    return 'is not a dotted-quad IPv4 address';
  if (o[0] === 0) return 'is in 0.0.0.0/8 ("this network"), never a host';
  if (o[0] === 127) return 'is a loopback address: other hosts cannot reach it';
  if (o[0] >= 224 && o[0] <= 239) return 'is a multicast address';
  if (o.every((x) => x === 255)) return 'is the broadcast address';
  if (o[0] >= 240) return 'is in the reserved range 240.0.0.0/4';
  return undefined;
}

export async function loadHosts(path: string): Promise<HostsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FabricError('E_HOSTS_FILE', `cannot read hosts file ${path}`, {
      cause,
      hint: 'give the path of a hosts file, e.g. --hosts hosts.yml (docs/scale-out.md)',
    });
  }
  return parseHosts(text, path);
}

/** Parses and checks a hosts file; throws DiagnosticsError listing every problem. */
export function parseHosts(text: string, file: string): HostsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const src = new SourceMap(file, doc, lines);
  const bag = new DiagnosticBag();
  const problem = (code: ErrorCode, path: DocPath, message: string, hint: string, key = false) =>
    bag.add(src.diag(code, path, message, hint, { key }));
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      bag.add(yamlProblem(file, line, col, e.message));
    }
    bag.throwIfAny('hosts');
  }
  const data: unknown = isMap(doc.contents) ? doc.toJS() : undefined;
  if (!data || typeof data !== 'object') {
    problem('E_HOSTS_FILE', [], 'the hosts file is not a map with a `hosts:` list', 'start the file with `hosts:`');
    bag.throwIfAny('hosts');
  }
  const top = data as Record<string, unknown>;
  for (const k of Object.keys(top))
    if (!TOP_KEYS.includes(k))
      problem('E_HOSTS_FILE', [k], `unknown key '${k}'`, `the hosts file accepts: ${TOP_KEYS.join(', ')}`, true);
  let vniBase = DEFAULT_VNI_BASE;
  if (top.vni_base !== undefined) {
    if (!Number.isInteger(top.vni_base) || (top.vni_base as number) < 1 || (top.vni_base as number) > MAX_VNI)
      problem('E_HOSTS_FILE', ['vni_base'], 'vni_base must be an integer in 1..16777215', 'e.g. vni_base: 10000');
    else vniBase = top.vni_base as number;
  }
  const list = top.hosts;
  if (!Array.isArray(list) || list.length === 0) {
    problem('E_HOSTS_FILE', ['hosts'], '`hosts:` must be a non-empty list', 'list each host as { name, address }');
    bag.throwIfAny('hosts');
  }
  const hosts = readHosts(list as unknown[], problem);
  if (!bag.ok) throw new DiagnosticsError('hosts', sortDiagnostics(bag.items));
  return { file, hosts, vniBase, src };
}

type Report = (code: ErrorCode, path: DocPath, message: string, hint: string, key?: boolean) => void;

function readHosts(list: unknown[], problem: Report): HostSpec[] {
  const hosts: HostSpec[] = [];
  const byName = new Map<string, number>();
  const byAddress = new Map<string, number>();
  list.forEach((raw, i) => {
    const path: DocPath = ['hosts', i];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problem(
        'E_HOSTS_FILE',
        path,
        'a host is a map { name, address, capacity?, mtu?, mgmt? }',
        'e.g. - { name: a, address: 192.0.2.10 }',
      );
      return;
    }
    const h = raw as Record<string, unknown>;
    for (const k of Object.keys(h))
      if (!HOST_KEYS.includes(k))
        problem('E_HOSTS_FILE', [...path, k], `unknown key '${k}'`, `a host accepts: ${HOST_KEYS.join(', ')}`, true);
    const name = h.name;
    if (typeof name !== 'string' || !HOST_NAME.test(name)) {
      problem(
        'E_HOSTS_FILE',
        [...path, 'name'],
        'a host needs a name matching [a-z][a-z0-9-]* (at most 20 characters)',
        'e.g. name: a',
      );
    } else if (byName.has(name)) {
      problem(
        'E_HOST_DUP',
        [...path, 'name'],
        `host '${name}' is named twice (first as hosts[${byName.get(name)}])`,
        'give every host its own name',
      );
    } else byName.set(name, i);
    const address = h.address;
    if (typeof address !== 'string') {
      problem(
        'E_HOST_ADDRESS',
        [...path, 'address'],
        'a host needs an address (a unicast IPv4 address as a string)',
        'e.g. address: 192.0.2.10',
      );
    } else {
      const why = unicastProblem(address);
      if (why)
        problem(
          'E_HOST_ADDRESS',
          [...path, 'address'],
          `address '${address}' ${why}`,
          'write the unicast IPv4 address the other hosts reach this one at',
        );
      else if (byAddress.has(address))
        problem(
          'E_HOST_DUP',
          [...path, 'address'],
          `address ${address} is given twice (first by hosts[${byAddress.get(address)}])`,
          'give every host its own address',
        );
      else byAddress.set(address, i);
    }
    const capacity = h.capacity;
    if (capacity !== undefined && (!Number.isInteger(capacity) || (capacity as number) < 1))
      problem(
        'E_HOST_CAPACITY',
        [...path, 'capacity'],
        'capacity must be a positive integer',
        'a node weighs 1, a QEMU guest 100; drop capacity for an even share',
      );
    const mtu = h.mtu;
    if (mtu !== undefined && (!Number.isInteger(mtu) || (mtu as number) < 1280 || (mtu as number) > 65535))
      problem(
        'E_HOST_MTU',
        [...path, 'mtu'],
        'mtu must be an integer in 1280..65535',
        'the MTU of the network between the hosts, e.g. 9000',
      );
    const mgmt = h.mgmt;
    if (mgmt !== undefined) {
      const why = typeof mgmt === 'string' ? unicastProblem(mgmt) : 'is not a string';
      if (why)
        problem(
          'E_HOST_ADDRESS',
          [...path, 'mgmt'],
          `management address '${String(mgmt)}' ${why}`,
          'the unicast IPv4 address of this host on the lab management network',
        );
      else if (mgmt === address)
        problem(
          'E_HOST_ADDRESS',
          [...path, 'mgmt'],
          `management address ${mgmt} is the host address`,
          'OpenFlow listeners bind to a management address, never to the address the hosts reach each other at',
        );
      else if (byAddress.has(mgmt as string))
        problem(
          'E_HOST_DUP',
          [...path, 'mgmt'],
          `address ${String(mgmt)} is given twice (first by hosts[${byAddress.get(mgmt as string)}])`,
          'give every host its own addresses',
        );
      else byAddress.set(mgmt as string, i);
    }
    if (typeof name === 'string' && typeof address === 'string')
      hosts.push({
        name,
        address,
        path,
        ...(Number.isInteger(capacity) ? { capacity: capacity as number } : {}),
        ...(Number.isInteger(mtu) ? { mtu: mtu as number } : {}),
        ...(typeof mgmt === 'string' && !unicastProblem(mgmt) ? { mgmt } : {}),
      });
  });
  return hosts;
}

function yamlProblem(file: string, line: number, column: number, message: string): Diagnostic {
  return {
    code: 'E_HOSTS_FILE',
    file,
    line,
    column,
    message: message.slice(0, 300),
    hint: 'fix the YAML syntax of the hosts file',
  };
}
