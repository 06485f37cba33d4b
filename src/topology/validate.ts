// Semantic checks the schema cannot express: references, duplicates inside a tenant, fabric-tag
// collisions between tenants, generated node-name clashes, extra nodes (by kind) and extra links.
// Written defensively: it also runs on documents with schema errors, so a user sees every
// problem in one pass; anything malformed was already reported by the schema and is skipped.
import type { ErrorCode } from '../errors/codes/index.js';
import type { Diagnostic, DiagnosticBag } from '../errors/diagnostics.js';
import { getKind, kindNames } from './kinds/index.js';
import { formatIp, isNetworkOrBroadcast, networkOf, parseCidr } from './ip.js';
import type { DocPath, SourceMap } from './locate.js';
import type { NodeKind } from './model.js';
import {
  accessSwitchName,
  dcSwitchName,
  endpointName,
  interconnectName,
  peName,
  PROVIDER_A,
  PROVIDER_B,
  SAFE_NAME,
} from './names.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isName = (v: unknown): v is string => isStr(v) && SAFE_NAME.test(v);
const isVlan = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4094;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);

export interface NodeDecl {
  name: string;
  kind: NodeKind | string;
  path: DocPath;
  key: boolean;
  what: string;
}

class Checker {
  readonly nodes = new Map<string, NodeDecl>();
  constructor(
    private readonly src: SourceMap,
    private readonly bag: DiagnosticBag,
  ) {}

  report(code: ErrorCode, path: DocPath, message: string, hint?: string, key = false): void {
    this.bag.add(this.src.diag(code, path, message, hint, { key }));
  }

  line(path: DocPath, key = false): string {
    const p = this.src.locate(path, key);
    return p ? ` (line ${p.line})` : '';
  }

  declareNode(decl: NodeDecl): void {
    const prev = this.nodes.get(decl.name);
    if (prev) {
      this.report(
        'E_DUP_NODE',
        decl.path,
        `node '${decl.name}' (${decl.what}) is already defined by ${prev.what}${this.line(prev.path, prev.key)}`,
        'node names must be unique in a lab; generated names are <dc>-sw, <dc>-ic, <dc>-pe, prov-a, prov-b, <tenant>-<site>-sw and <tenant>-<site>-<system>: rename one of them',
        decl.key,
      );
      return;
    }
    this.nodes.set(decl.name, decl);
  }
}

export function validateIntent(data: unknown, src: SourceMap, bag: DiagnosticBag): void {
  if (!isObj(data)) return; // the schema reported it
  const c = new Checker(src, bag);
  const dcs = new Set(entries(data.datacenters).map(([k]) => k));
  const dcHint = () => `declared datacenters: ${[...dcs].sort().join(', ') || '(none)'}`;
  const checkDc = (v: unknown, path: DocPath): boolean => {
    if (!isName(v)) return false;
    if (!dcs.has(v)) {
      c.report('E_UNKNOWN_DC', path, `unknown datacenter '${v}'`, dcHint());
      return false;
    }
    return true;
  };

  // Datacenters: switch per DC; DC tags unique.
  const dcTags = new Map<number, string>();
  for (const [dc, body] of entries(data.datacenters)) {
    if (isName(dc))
      c.declareNode({
        name: dcSwitchName(dc),
        kind: 'ovs-bridge',
        path: ['datacenters', dc],
        key: true,
        what: `the switch of datacenter ${dc}`,
      });
    const tag = isObj(body) ? body.dc_tag : undefined;
    if (isVlan(tag)) {
      const prev = dcTags.get(tag);
      if (prev !== undefined) {
        c.report(
          'E_TAG_COLLISION',
          ['datacenters', dc, 'dc_tag'],
          `DC tag ${tag} of datacenter ${dc} is already the DC tag of ${prev}`,
          'each datacenter needs its own DC tag (Tag3)',
        );
      } else dcTags.set(tag, dc);
    }
  }

  // Interconnects: dedicated lines between two distinct DCs, each pair once.
  const icPairs = new Map<string, number>();
  const icNodes = new Set<string>();
  arr(data.interconnects).forEach((ic, i) => {
    const between = isObj(ic) ? arr(ic.between) : [];
    const ok = between.map((dc, j) => checkDc(dc, ['interconnects', i, 'between', j]));
    if (between.length !== 2 || !ok.every(Boolean)) return;
    const [a, b] = between as [string, string];
    if (a === b) {
      c.report(
        'E_SELF_LINK',
        ['interconnects', i, 'between'],
        `interconnect from ${a} to itself`,
        'an interconnect joins two different datacenters',
      );
      return;
    }
    const key = [a, b].sort().join('|');
    if (icPairs.has(key)) {
      c.report(
        'E_DUP_INTERCONNECT',
        ['interconnects', i],
        `a dedicated line between ${a} and ${b} is already declared (interconnects[${icPairs.get(key)}])`,
        'declare each dedicated line once',
      );
      return;
    }
    icPairs.set(key, i);
    between.forEach((dc, j) => {
      if (icNodes.has(dc as string)) return;
      icNodes.add(dc as string);
      c.declareNode({
        name: interconnectName(dc as string),
        kind: 'ovs-bridge',
        path: ['interconnects', i, 'between', j],
        key: false,
        what: `the interconnect switch of ${dc}`,
      });
    });
  });

  // Long haul.
  if (isObj(data.long_haul)) {
    const lh = data.long_haul;
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
    const seg = isObj(lh.provider_segment) ? lh.provider_segment : undefined;
    if (seg) {
      c.declareNode({
        name: PROVIDER_A,
        kind: 'linux',
        path: ['long_haul', 'provider_segment'],
        key: true,
        what: 'the outbound provider router',
      });
      c.declareNode({
        name: PROVIDER_B,
        kind: 'linux',
        path: ['long_haul', 'provider_segment'],
        key: true,
        what: 'the inbound provider router',
      });
      if (isStr(seg.subnet)) {
        const cidr = parseCidr(seg.subnet);
        if (cidr && cidr.prefix > 31) {
          c.report(
            'E_BAD_SUBNET',
            ['long_haul', 'provider_segment', 'subnet'],
            `provider subnet ${seg.subnet} has no room for two routers`,
            'use a /30 (or /31) point-to-point subnet, e.g. 198.51.100.0/30',
          );
        } else if (cidr && networkOf(cidr) !== cidr.addr) {
          c.report(
            'E_BAD_SUBNET',
            ['long_haul', 'provider_segment', 'subnet'],
            `provider subnet ${seg.subnet} has host bits set`,
            `write the network address: ${formatIp(networkOf(cidr))}/${cidr.prefix}`,
          );
        }
      }
    }
    const aSide = new Map<string, number>();
    const bSide = new Map<string, number>();
    const pathPairs = new Map<string, number>();
    const peNodes = new Set<string>();
    arr(lh.paths).forEach((p, i) => {
      const between = isObj(p) ? arr(p.between) : [];
      const ok = between.map((dc, j) => checkDc(dc, ['long_haul', 'paths', i, 'between', j]));
      if (between.length !== 2 || !ok.every(Boolean)) return;
      const [a, b] = between as [string, string];
      if (a === b) {
        c.report(
          'E_SELF_LINK',
          ['long_haul', 'paths', i, 'between'],
          `long-haul path from ${a} to itself`,
          'a long-haul path joins two different datacenters',
        );
        return;
      }
      const key = `${a}|${b}`;
      if (pathPairs.has(key) || pathPairs.has(`${b}|${a}`)) {
        c.report(
          'E_DUP_PATH',
          ['long_haul', 'paths', i],
          `a long-haul path between ${a} and ${b} is already declared`,
          'declare each long-haul path once',
        );
        return;
      }
      pathPairs.set(key, i);
      if (bSide.has(a)) {
        c.report(
          'E_LONG_HAUL_ROLE',
          ['long_haul', 'paths', i, 'between', 0],
          `datacenter ${a} is the outbound end here but the inbound end of long_haul.paths[${bSide.get(a)}]`,
          'the first DC of a path attaches to the first P router, the second to the inbound provider router; a DC can only be one of them: swap the pair',
        );
      }
      if (aSide.has(b)) {
        c.report(
          'E_LONG_HAUL_ROLE',
          ['long_haul', 'paths', i, 'between', 1],
          `datacenter ${b} is the inbound end here but the outbound end of long_haul.paths[${aSide.get(b)}]`,
          'the first DC of a path attaches to the first P router, the second to the inbound provider router; a DC can only be one of them: swap the pair',
        );
      }
      if (!aSide.has(a)) aSide.set(a, i);
      if (!bSide.has(b)) bSide.set(b, i);
      between.forEach((dc, j) => {
        if (peNodes.has(dc as string)) return;
        peNodes.add(dc as string);
        c.declareNode({
          name: peName(dc as string),
          kind: 'ovs-bridge',
          path: ['long_haul', 'paths', i, 'between', j],
          key: false,
          what: `the PE router of ${dc}`,
        });
      });
    });
  }

  // Tenants.
  const fabricPairs = new Map<string, { tenant: string; path: DocPath; vlan: number }>();
  for (const [tenant, t] of entries(data.tenants)) {
    if (!isObj(t)) continue;
    const base: DocPath = ['tenants', tenant];
    const tenantOk = isName(tenant);
    const siteNames = new Map<string, number>();
    const ips = new Map<string, DocPath>(); // `${vlan}|${addr}` → path
    const macs = new Map<string, DocPath>();
    const vlansUsed = new Set<number>();
    const ctags = isObj(t.customer_tags) ? t.customer_tags : {};
    arr(t.sites).forEach((s, i) => {
      if (!isObj(s)) return;
      const sp: DocPath = [...base, 'sites', i];
      checkDc(s.dc, [...sp, 'dc']);
      const site = isName(s.name) ? s.name : undefined;
      if (site) {
        if (siteNames.has(site)) {
          c.report(
            'E_DUP_NAME',
            [...sp, 'name'],
            `tenant ${tenant} already has a site named ${site} (sites[${siteNames.get(site)}])`,
            'site names are unique within a tenant',
          );
        } else {
          siteNames.set(site, i);
          if (tenantOk)
            c.declareNode({
              name: accessSwitchName(tenant, site),
              kind: 'ovs-bridge',
              path: [...sp, 'name'],
              key: false,
              what: `the access switch of ${tenant} site ${site}`,
            });
        }
      }
      const systemNames = new Map<string, number>();
      const siteVlans = new Set<number>();
      arr(s.systems).forEach((sys, j) => {
        if (!isObj(sys)) return;
        const yp: DocPath = [...sp, 'systems', j];
        if (isName(sys.name)) {
          if (systemNames.has(sys.name)) {
            c.report(
              'E_DUP_NAME',
              [...yp, 'name'],
              `site ${site ?? i} of tenant ${tenant} already has a system named ${sys.name} (systems[${systemNames.get(sys.name)}])`,
              'system names are unique within a site',
            );
          } else {
            systemNames.set(sys.name, j);
            if (tenantOk && site && siteNames.get(site) === i) {
              c.declareNode({
                name: endpointName(tenant, site, sys.name),
                kind: 'linux',
                path: [...yp, 'name'],
                key: false,
                what: `system ${sys.name} of ${tenant} site ${site}`,
              });
            }
          }
        }
        const vlan = isVlan(sys.vlan) ? sys.vlan : undefined;
        if (vlan !== undefined) {
          vlansUsed.add(vlan);
          siteVlans.add(vlan);
        }
        if (isStr(sys.ip)) {
          const cidr = parseCidr(sys.ip);
          if (cidr) {
            const nb = isNetworkOrBroadcast(cidr);
            if (nb) {
              c.report(
                'E_BAD_IP',
                [...yp, 'ip'],
                `${sys.ip} is the ${nb} address of its subnet`,
                'give the system a host address inside its subnet',
              );
            } else if (vlan !== undefined) {
              // One L2 domain = one own VLAN of one tenant.
              const key = `${vlan}|${cidr.addr}`;
              const prev = ips.get(key);
              if (prev) {
                c.report(
                  'E_DUP_IP',
                  [...yp, 'ip'],
                  `address ${formatIp(cidr.addr)} is already used in VLAN ${vlan} of tenant ${tenant}${c.line(prev)}`,
                  'addresses are unique inside one L2 domain (a tenant VLAN); the same address in ANOTHER tenant is fine',
                );
              } else ips.set(key, [...yp, 'ip']);
            }
          }
        }
        if (isStr(sys.mac) && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(sys.mac)) {
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
            const prev = macs.get(mac);
            if (prev) {
              c.report(
                'E_DUP_MAC',
                [...yp, 'mac'],
                `MAC ${mac} is already used in tenant ${tenant}${c.line(prev)}`,
                'MACs are unique inside a tenant; the same MAC in ANOTHER tenant is fine',
              );
            } else macs.set(mac, [...yp, 'mac']);
          }
        }
      });
      // Declared fabric tags (host_tag, customer tag) must not collide with another tenant's.
      if (isVlan(s.host_tag)) {
        for (const vlan of [...siteVlans].sort((a, b) => a - b)) {
          const ctag = ctags[String(vlan)];
          if (!isVlan(ctag)) continue;
          const key = `${s.host_tag}|${ctag}`;
          const prev = fabricPairs.get(key);
          if (prev && prev.tenant !== tenant) {
            c.report(
              'E_TAG_COLLISION',
              [...sp, 'host_tag'],
              `fabric tags (host ${s.host_tag}, customer ${ctag}) of tenant ${tenant} VLAN ${vlan} are already used by tenant ${prev.tenant} VLAN ${prev.vlan}${c.line(prev.path)}`,
              'the (host_tag, customer tag) pair identifies a tenant on the fabric: change host_tag or customer_tags of one tenant, or leave them out and let the tag plan allocate them',
            );
          } else if (!prev) fabricPairs.set(key, { tenant, path: [...sp, 'host_tag'], vlan });
        }
      }
    });
    // customer_tags: keys are own VLANs of this tenant; two VLANs sharing a tag would merge.
    const byTag = new Map<number, string>();
    for (const [vlanKey, tag] of Object.entries(ctags)) {
      const vlan = Number(vlanKey);
      if (/^[1-9][0-9]{0,3}$/.test(vlanKey) && isVlan(vlan) && !vlansUsed.has(vlan)) {
        c.report(
          'E_UNKNOWN_VLAN',
          [...base, 'customer_tags', vlanKey],
          `tenant ${tenant} has no system in VLAN ${vlan}`,
          `own VLANs of ${tenant}: ${[...vlansUsed].sort((a, b) => a - b).join(', ') || '(none)'}`,
          true,
        );
      }
      if (!isVlan(tag)) continue;
      const prev = byTag.get(tag);
      if (prev !== undefined) {
        c.report(
          'E_TAG_COLLISION',
          [...base, 'customer_tags', vlanKey],
          `customer tag ${tag} of VLAN ${vlanKey} is also the customer tag of VLAN ${prev} in tenant ${tenant}`,
          'two own VLANs with one customer tag would be merged into one L2 domain: give each its own tag',
        );
      } else byTag.set(tag, vlanKey);
    }
  }

  // Hypervisors (failover issue): names unique, DC known.
  const hvNames = new Map<string, number>();
  arr(data.hypervisors).forEach((h, i) => {
    if (!isObj(h)) return;
    checkDc(h.dc, ['hypervisors', i, 'dc']);
    if (isName(h.name)) {
      if (hvNames.has(h.name))
        c.report(
          'E_DUP_NAME',
          ['hypervisors', i, 'name'],
          `hypervisor ${h.name} is already declared (hypervisors[${hvNames.get(h.name)}])`,
          'hypervisor names are unique',
        );
      else hvNames.set(h.name, i);
    }
  });

  // Extra nodes: kind from the registry, kind-specific attributes validated by the kind.
  const tenants = new Set(entries(data.tenants).map(([k]) => k));
  arr(data.extra_nodes).forEach((n, i) => {
    if (!isObj(n)) return;
    const np: DocPath = ['extra_nodes', i];
    if (n.dc !== undefined) checkDc(n.dc, [...np, 'dc']);
    if (isName(n.tenant) && !tenants.has(n.tenant)) {
      c.report(
        'E_UNKNOWN_TENANT',
        [...np, 'tenant'],
        `unknown tenant '${n.tenant}'`,
        `declared tenants: ${[...tenants].sort().join(', ') || '(none)'}`,
      );
    }
    if (!isStr(n.kind)) return;
    const kind = getKind(n.kind);
    if (!kind) {
      c.report(
        'E_UNKNOWN_KIND',
        [...np, 'kind'],
        `unknown kind '${n.kind}'`,
        `known kinds: ${kindNames().join(', ')} (canonical containerlab names; short aliases such as srl are not accepted)`,
      );
    } else {
      kind.validate(n, { src, path: np, report: (d: Diagnostic) => bag.add(d) });
    }
    if (isName(n.name))
      c.declareNode({ name: n.name, kind: n.kind, path: [...np, 'name'], key: false, what: `extra node ${n.name}` });
  });

  // Extra links: endpoints `node:interface` on existing nodes, interface syntax by kind.
  const used = new Map<string, DocPath>();
  arr(data.extra_links).forEach((l, i) => {
    if (!isObj(l)) return;
    for (const side of ['a', 'b'] as const) {
      const lp: DocPath = ['extra_links', i, side];
      const v = l[side];
      if (!isStr(v)) continue;
      const colon = v.indexOf(':');
      const node = colon < 0 ? v : v.slice(0, colon);
      const ifname = colon < 0 ? '' : v.slice(colon + 1);
      if (!node || !ifname) {
        c.report(
          'E_LINK_ENDPOINT',
          lp,
          `link endpoint '${v}' is not node:interface`,
          'write endpoints as <node>:<interface>, e.g. red-c1-h1:eth2 or dc1-sw:p9',
        );
        continue;
      }
      const decl = c.nodes.get(node);
      if (!decl) {
        const why = SAFE_NAME.test(node)
          ? `link endpoint names unknown node '${node}'`
          : `link endpoint node '${node}' is not a valid node name`;
        c.report(
          SAFE_NAME.test(node) ? 'E_LINK_UNKNOWN_NODE' : 'E_BAD_NAME',
          lp,
          why,
          'link to a generated node (<dc>-sw, <tenant>-<site>-<system>, ...) or declare it under extra_nodes',
        );
        continue;
      }
      const kind = getKind(decl.kind);
      if (!kind) continue; // E_UNKNOWN_KIND already reported
      const ref = kind.parseInterface(ifname);
      if (!ref.ok) {
        c.report(ref.code, lp, ref.message, ref.hint);
        continue;
      }
      const key = `${node}:${ifname}`;
      const prev = used.get(key);
      if (prev) {
        c.report(
          'E_IF_IN_USE',
          lp,
          `interface ${key} is already used by another link${c.line(prev)}`,
          'an interface carries one link',
        );
        continue;
      }
      used.set(key, lp);
    }
  });
}
