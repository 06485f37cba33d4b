// long_haul: P routers and provider routers as nodes, a provider subnet with room for two
// routers, paths between distinct DCs (each pair once), and one role (outbound or inbound) per DC.
import { formatIp, networkOf, parseCidr } from '../ip.js';
import { peName, PROVIDER_A, PROVIDER_B } from '../../names/index.js';
import { arr, betweenOf, isName, isObj, isStr, pairKey, type Checker, type Obj } from './checker.js';

const ROLE_HINT =
  'the first DC of a path attaches to the first P router, the second to the inbound provider router; a DC can only be one of them: swap the pair';

export function validateLongHaul(c: Checker): void {
  if (!isObj(c.data.long_haul)) return;
  const lh = c.data.long_haul;
  arr(lh.p_routers).forEach((p, i) => {
    if (isName(p))
      c.declareNode({
        name: p,
        kind: 'ovs-bridge',
        path: ['long_haul', 'p_routers', i],
        key: false,
        what: `P router ${p}`,
      });
  });
  if (isObj(lh.provider_segment)) validateProviderSegment(c, lh.provider_segment);
  validatePaths(c, lh);
}

function validateProviderSegment(c: Checker, seg: Obj): void {
  for (const [name, what] of [
    [PROVIDER_A, 'the outbound provider router'],
    [PROVIDER_B, 'the inbound provider router'],
  ] as const)
    c.declareNode({ name, kind: 'linux', path: ['long_haul', 'provider_segment'], key: true, what });
  if (!isStr(seg.subnet)) return;
  const cidr = parseCidr(seg.subnet);
  const at = ['long_haul', 'provider_segment', 'subnet'];
  if (cidr && cidr.prefix > 31) {
    c.report(
      'E_BAD_SUBNET',
      at,
      `provider subnet ${seg.subnet} has no room for two routers`,
      'use a /30 (or /31) point-to-point subnet, e.g. 198.51.100.0/30',
    );
  } else if (cidr && networkOf(cidr) !== cidr.addr) {
    c.report(
      'E_BAD_SUBNET',
      at,
      `provider subnet ${seg.subnet} has host bits set`,
      `write the network address: ${formatIp(networkOf(cidr))}/${cidr.prefix}`,
    );
  }
}

function validatePaths(c: Checker, lh: Obj): void {
  const aSide = new Map<string, number>();
  const bSide = new Map<string, number>();
  const peNodes = new Set<string>();
  arr(lh.paths).forEach((p, i) => {
    const pair = betweenOf(c, p, ['long_haul', 'paths', i]);
    if (!pair) return;
    const [a, b] = pair;
    if (a === b) {
      c.report(
        'E_SELF_LINK',
        ['long_haul', 'paths', i, 'between'],
        `long-haul path from ${a} to itself`,
        'a long-haul path joins two different datacenters',
      );
      return;
    }
    const key = pairKey(a, b);
    if (c.hauls.has(key)) {
      c.report(
        'E_DUP_PATH',
        ['long_haul', 'paths', i],
        `a long-haul path between ${a} and ${b} is already declared`,
        'declare each long-haul path once',
      );
      return;
    }
    c.hauls.set(key, i);
    if (bSide.has(a))
      c.report(
        'E_LONG_HAUL_ROLE',
        ['long_haul', 'paths', i, 'between', 0],
        `datacenter ${a} is the outbound end here but the inbound end of long_haul.paths[${bSide.get(a)}]`,
        ROLE_HINT,
      );
    if (aSide.has(b))
      c.report(
        'E_LONG_HAUL_ROLE',
        ['long_haul', 'paths', i, 'between', 1],
        `datacenter ${b} is the inbound end here but the outbound end of long_haul.paths[${aSide.get(b)}]`,
        ROLE_HINT,
      );
    if (!aSide.has(a)) aSide.set(a, i);
    if (!bSide.has(b)) bSide.set(b, i);
    pair.forEach((dc, j) => {
      if (peNodes.has(dc)) return;
      peNodes.add(dc);
      c.declareNode({
        name: peName(dc),
        kind: 'ovs-bridge',
        path: ['long_haul', 'paths', i, 'between', j],
        key: false,
        what: `the PE router of ${dc}`,
      });
    });
  });
}
