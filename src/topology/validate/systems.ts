// One system of a site: its address is a usable unicast host address, unique in its L2 domain
// (one own VLAN of one tenant); its MAC is unicast, non-zero and unique in the tenant.
import { formatIp, isNetworkOrBroadcast, parseCidr, type Cidr } from '../ip.js';
import type { DocPath } from '../locate.js';
import { isStr, type Checker, type Obj } from './checker.js';
import { isMac } from '../../names/index.js';

/** What one tenant has seen so far (keys are built from validated values, never user text alone). */
export interface TenantSeen {
  tenant: string;
  /** `${vlan}|${addr}` → where. */
  ips: Map<string, DocPath>;
  macs: Map<string, DocPath>;
}

/** Address blocks a host cannot use on a LAN, with why (RFC 6890 special-purpose registry). */
const SPECIAL: { net: number; prefix: number; what: string }[] = [
  { net: 0x00000000, prefix: 8, what: "in 0.0.0.0/8 ('this network', not a host address)" },
  { net: 0x7f000000, prefix: 8, what: 'a loopback address (127.0.0.0/8)' },
  { net: 0xe0000000, prefix: 4, what: 'a multicast address (224.0.0.0/4)' },
  { net: 0xffffffff, prefix: 32, what: 'the limited broadcast address' },
  { net: 0xf0000000, prefix: 4, what: 'a reserved address (240.0.0.0/4)' },
];

export function specialAddress(c: Cidr): string | undefined {
  for (const s of SPECIAL) {
    const m = s.prefix === 0 ? 0 : (0xffffffff << (32 - s.prefix)) >>> 0;
    if ((c.addr & m) >>> 0 === s.net) return s.what;
  }
  return undefined;
}

export function validateSystemAddress(c: Checker, seen: TenantSeen, sys: Obj, yp: DocPath, vlan?: number): void {
  if (!isStr(sys.ip)) return;
  const cidr = parseCidr(sys.ip);
  if (!cidr) return; // the schema reported it
  const special = specialAddress(cidr);
  const nb = isNetworkOrBroadcast(cidr);
  if (special) {
    c.report(
      'E_BAD_IP',
      [...yp, 'ip'],
      `${sys.ip}: ${formatIp(cidr.addr)} is ${special}`,
      'give the system a unicast host address, e.g. from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
    );
  } else if (nb) {
    c.report(
      'E_BAD_IP',
      [...yp, 'ip'],
      `${sys.ip} is the ${nb} address of its subnet`,
      'give the system a host address inside its subnet',
    );
  } else if (vlan !== undefined) {
    const key = `${vlan}|${cidr.addr}`;
    const prev = seen.ips.get(key);
    if (prev) {
      c.report(
        'E_DUP_IP',
        [...yp, 'ip'],
        `address ${formatIp(cidr.addr)} is already used in VLAN ${vlan} of tenant ${seen.tenant}${c.line(prev)}`,
        'addresses are unique inside one L2 domain (a tenant VLAN); the same address in ANOTHER tenant is fine',
      );
    } else seen.ips.set(key, [...yp, 'ip']);
  }
}

export function validateSystemMac(c: Checker, seen: TenantSeen, sys: Obj, yp: DocPath): void {
  if (!isStr(sys.mac) || !isMac(sys.mac)) return;
  const mac = sys.mac.toLowerCase();
  if (mac === '00:00:00:00:00:00') {
    c.report(
      'E_BAD_MAC',
      [...yp, 'mac'],
      `MAC ${mac} is the all-zero address`,
      'use a unicast, locally administered MAC such as 02:00:00:00:00:10',
    );
  } else if (parseInt(mac.slice(0, 2), 16) & 1) {
    c.report(
      'E_BAD_MAC',
      [...yp, 'mac'],
      `MAC ${mac} is a multicast address`,
      'the first octet of a unicast MAC is even, e.g. 02:...',
    );
  } else {
    const prev = seen.macs.get(mac);
    if (prev) {
      c.report(
        'E_DUP_MAC',
        [...yp, 'mac'],
        `MAC ${mac} is already used in tenant ${seen.tenant}${c.line(prev)}`,
        'MACs are unique inside a tenant; the same MAC in ANOTHER tenant is fine',
      );
    } else seen.macs.set(mac, [...yp, 'mac']);
  }
}
