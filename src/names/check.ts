// Checks for every name that reaches a command line (ip, ovs-vsctl, tcpdump, QEMU, xargs) or a
// file name, run once before any process starts: a name must never be able to become an option
// (leading '-'), a path (a '/') or a second command. One rule per kind of name; the lab format's
// stricter rules for what a user may declare are SAFE_NAME and SAFE_IFNAME (generate.ts).
import type { ErrorCode } from '../errors/codes/index.js';
import { FabricError } from '../errors/fabric-error.js';

/** Linux's limit on interface names (IFNAMSIZ - 1 bytes). */
export const IFNAMSIZ = 15;

const LAB = /^[a-z][a-z0-9-]{0,19}$/;
const NODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** '@' appears in names the kernel reports for stacked devices (`eth0@if12`). */
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,14}$/;
const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const VM = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const LINK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@,=+-]{0,127}$/;
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4,16}$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function bad(what: string, value: unknown, hint: string, code: ErrorCode = 'E_BAD_NAME'): FabricError {
  return new FabricError(code, `invalid ${what} ${JSON.stringify(value)}`, { hint });
}

const ok = (re: RegExp, v: unknown): v is string => typeof v === 'string' && re.test(v);

export const isLabName = (v: unknown): v is string => ok(LAB, v);
export const isNodeName = (v: unknown): v is string => ok(NODE, v);
export const isIfName = (v: unknown): v is string => ok(IFNAME, v);
export const isNetns = (v: unknown): v is string => ok(NETNS, v);
export const isMac = (v: unknown): v is string => ok(MAC, v);
export const isIpv4 = (v: unknown): v is string => ok(IPV4, v);

export function checkLabName(v: string): string {
  if (!isLabName(v)) throw bad('lab name', v, 'lab names match [a-z][a-z0-9-]* and have at most 20 characters');
  return v;
}
export function checkNodeName(v: string): string {
  if (!isNodeName(v)) throw bad('node name', v, 'node names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  return v;
}
/** `code` lets a caller keep its own error code (QEMU's NICs report E_VM_IFNAME). */
export function checkIfName(v: string, code: ErrorCode = 'E_BAD_NAME'): string {
  if (!isIfName(v))
    throw bad(
      'interface name',
      v,
      `interface names match [A-Za-z0-9][A-Za-z0-9_.@-]* and have at most ${IFNAMSIZ} characters`,
      code,
    );
  return v;
}
export function checkNetns(v: string): string {
  if (!isNetns(v)) throw bad('network namespace name', v, 'namespace names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  return v;
}
/** VM names are also used in paths and in QEMU's -name: a conservative alphabet. */
export function checkVmName(v: string): string {
  if (!ok(VM, v)) throw bad('VM name', v, 'lower-case letters, digits, - and _; at most 32 characters', 'E_VM_NAME');
  return v;
}
export function checkLinkId(v: string): string {
  if (!ok(LINK_ID, v))
    throw bad('link id', v, 'link ids start with a letter or digit and contain no spaces or slashes');
  return v;
}
export function checkRunId(v: string): string {
  if (!ok(RUN_ID, v)) throw bad('capture run id', v, 'run ids look like 20261121T233000Z-1a2b3c');
  return v;
}
/** A MAC as six hex pairs; returned in lower case, as the kernel and OVS print it. */
export function checkMac(v: string): string {
  if (!isMac(v)) throw bad('MAC address', v, 'write MACs as six hex pairs, e.g. 02:00:00:00:00:10');
  return v.toLowerCase();
}
export function checkIpv4(v: string): string {
  if (!isIpv4(v)) throw bad('IPv4 address', v, 'write a dotted quad such as 10.20.30.1');
  return v;
}

/** Characters allowed in a capture file name part; anything else becomes '_'. */
export function safePart(s: string): string {
  const out = s.replace(/[^A-Za-z0-9_.@-]/g, '_').replace(/^[.-]/, '_');
  return out.length ? out : '_';
}

/** `<node>--<ifname>`: the deterministic stem of one capture file. */
export function captureStem(node: string, ifname: string): string {
  return `${safePart(node)}--${safePart(ifname)}`;
}
