// Name checks for everything that reaches a command line (tcpdump, ip netns exec, tcpreplay) or a
// file name. Checked once, before any process starts: a name must never be able to become an
// option (leading '-') or a path (a '/').
import { FabricError } from '../errors/fabric-error.js';

const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/;
const NODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const LAB = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const LINK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@,=+-]{0,127}$/;
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4,16}$/;

function bad(what: string, value: unknown, hint: string): FabricError {
  return new FabricError('E_BAD_NAME', `invalid ${what} ${JSON.stringify(value)}`, { hint });
}

export function checkNetns(v: string): string {
  if (typeof v !== 'string' || !NETNS.test(v) || v === '.' || v === '..') {
    throw bad('network namespace name', v, 'namespace names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  }
  return v;
}
export function checkIfname(v: string): string {
  if (typeof v !== 'string' || !IFNAME.test(v)) {
    throw bad('interface name', v, 'interface names match [A-Za-z0-9][A-Za-z0-9_.@-]* and have at most 15 characters');
  }
  return v;
}
export function checkNode(v: string): string {
  if (typeof v !== 'string' || !NODE.test(v)) throw bad('node name', v, 'node names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  return v;
}
export function checkLab(v: string): string {
  if (typeof v !== 'string' || !LAB.test(v)) throw bad('lab name', v, 'lab names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  return v;
}
export function checkLinkId(v: string): string {
  if (typeof v !== 'string' || !LINK_ID.test(v))
    throw bad('link id', v, 'link ids start with a letter or digit and contain no spaces or slashes');
  return v;
}
export function checkRunId(v: string): string {
  if (typeof v !== 'string' || !RUN_ID.test(v))
    throw bad('capture run id', v, 'run ids look like 20261121T233000Z-1a2b3c');
  return v;
}

/** Characters allowed in a capture file name part; anything else becomes '_'. */
export function safePart(s: string): string {
  const out = s.replace(/[^A-Za-z0-9_.@-]/g, '_').replace(/^[.-]/, '_');
  return out.length ? out : '_';
}

/** `<node>--<ifname>`: the deterministic stem of one capture file (node names never contain "--" at the join). */
export function captureStem(node: string, ifname: string): string {
  return `${safePart(node)}--${safePart(ifname)}`;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
export function checkMac(v: string): string {
  if (typeof v !== 'string' || !MAC.test(v))
    throw bad('MAC address', v, 'write MACs as six hex pairs, e.g. 02:00:00:00:00:10');
  return v.toLowerCase();
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function checkIpv4(v: string): string {
  if (typeof v !== 'string' || !IPV4.test(v)) throw bad('IPv4 address', v, 'write a dotted quad such as 10.20.30.1');
  return v;
}
