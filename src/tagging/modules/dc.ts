// dc: Tag3, the DC/VPLS tag (seed 001 [0101]) identifying the datacenter that holds the
// resource. It is the service label of an Ethernet-over-MPLS pseudowire (no control word:
// OVS cannot push one) that carries the QinQ frame between datacenters. This module finds the
// DC switch's gateway ports and programs the interconnect switches of dedicated lines.
import { createHash } from 'node:crypto';
import { Allocator, COOKIE, MPLS_MAX, MPLS_MIN, type RenderContext, type TagModule } from './module.js';
import type { PlanContext } from '../context.js';
import type { DcPlan, GatewayPlan } from '../types.js';

const DC_TAG_START = 1001;

/** Outer MAC of a gateway's pseudowire frames: deterministic, locally administered. */
export function gatewayMac(lab: string, node: string): string {
  const h = createHash('sha256').update(`${lab}/${node}`).digest();
  return ['02', 'fb', ...[...h.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The pseudowire push shared by interconnect switches and PEs: Tag3 and a new outer Ethernet. */
export function pwPush(dcTag: number, ttl: number, src: string, dst: string): string {
  return `encap(mpls),set_field:${dcTag}->mpls_label,set_field:${ttl}->mpls_ttl,encap(ethernet),set_field:${src}->eth_src,set_field:${dst}->eth_dst`;
}

/** Removes the outer Ethernet and the bottom label: the QinQ frame inside comes out. */
export const PW_POP = 'decap(),decap(packet_type(ns=0,type=0))';

export const dc: TagModule = {
  name: 'dc',
  description: 'Tag3 DC/VPLS pseudowire label per datacenter; interconnect switches on dedicated lines',
  requires: ['qinq'],
  roles: ['interconnect'],

  allocate(ctx: PlanContext): void {
    const { intent, index, plan, bag } = ctx;
    const file = ctx.lab.source;
    const taken = new Set<number>();
    for (const [name, d] of Object.entries(intent.datacenters)) {
      const t = d?.dc_tag;
      if (t === undefined) continue;
      if (!Number.isInteger(t) || t < MPLS_MIN || t > MPLS_MAX) {
        bag.add({
          code: 'E_TAG_RANGE',
          file,
          path: `datacenters.${name}.dc_tag`,
          message: `DC tag ${t} is not a usable MPLS label`,
          hint: `use ${MPLS_MIN}-${MPLS_MAX}; 0-15 are reserved`,
        });
      } else if (taken.has(t)) {
        bag.add({
          code: 'E_TAG_COLLISION',
          file,
          path: `datacenters.${name}.dc_tag`,
          message: `DC tag ${t} is used by another datacenter`,
          hint: 'every datacenter needs its own dc_tag',
        });
      } else taken.add(t);
    }
    const alloc = new Allocator(DC_TAG_START, MPLS_MAX, new Set(taken));
    const lhPeers = (x: string) => [
      ...new Set(
        (intent.long_haul?.paths ?? []).flatMap((p) => (p.between.includes(x) ? p.between.filter((y) => y !== x) : [])),
      ),
    ];

    for (const name of Object.keys(intent.datacenters)) {
      const dcTag = intent.datacenters[name]?.dc_tag ?? alloc.take();
      if (dcTag === undefined) continue;
      const entry: DcPlan = { name, dcTag, gateways: [] };
      const sw = index.byRole('dc-switch').find((n) => n.dc === name);
      for (const p of sw ? index.portsOf(sw.name) : []) {
        const peer = index.node(p.peer);
        if (peer.role !== 'interconnect' && peer.role !== 'pe') continue;
        let remote = p.link.remoteDc;
        if (!remote && peer.role === 'interconnect') {
          const far = index
            .portsOf(peer.name)
            .filter((q) => q.link.class === 'dc-interconnect')
            .map((q) => index.node(q.peer).dc);
          if (far.length === 1 && far[0]) remote = far[0];
        }
        if (!remote && peer.role === 'pe') {
          const far = lhPeers(name);
          if (far.length === 1) remote = far[0];
        }
        if (!remote) {
          bag.add({
            code: 'E_PLAN_TOPOLOGY',
            file,
            path: `datacenters.${name}`,
            message: `cannot tell which datacenter the link ${p.link.id} leads to`,
            hint: 'a DC switch needs one dc-fabric link per remote datacenter (regenerate the lab)',
          });
          continue;
        }
        const g: GatewayPlan = {
          remoteDc: remote,
          via: peer.role === 'pe' ? 'pe' : 'interconnect',
          node: peer.name,
          dcSwitchPort: p.ifname,
          gatewayPort: p.peerIf,
        };
        entry.gateways.push(g);
      }
      entry.gateways.sort(
        (a, b) => a.remoteDc.localeCompare(b.remoteDc) || a.dcSwitchPort.localeCompare(b.dcSwitchPort),
      );
      plan.dcs.push(entry);
      plan.decodeHints[String(dcTag)] = 'pw-eth-nocw';
    }
    // A remote DC must be reachable through exactly one gateway, or floods would be doubled.
    for (const d of plan.dcs) {
      const seen = new Set<string>();
      for (const g of d.gateways) {
        if (seen.has(g.remoteDc))
          bag.add({
            code: 'E_PLAN_TOPOLOGY',
            file,
            path: `datacenters.${d.name}`,
            message: `datacenter ${g.remoteDc} is reachable from ${d.name} both by a dedicated line and by long haul`,
            hint: 'keep one path per pair of datacenters (full mesh = one line or one long-haul path per pair)',
          });
        seen.add(g.remoteDc);
      }
    }
  },

  render(ctx: RenderContext): void {
    const { plan, index } = ctx;
    const lab = index.lab.name;
    const tagOf = (dcName: string) => plan.dcs.find((d) => d.name === dcName)?.dcTag;
    for (const ic of index.byRole('interconnect')) {
      const prog = ctx.program(ic.name);
      const c = `cookie=${COOKIE.dc}`;
      const here = ic.dc ?? '';
      const myTag = tagOf(here);
      const lines = index.portsOf(ic.name).filter((p) => p.link.class === 'dc-interconnect');
      for (const g of plan.dcs.find((d) => d.name === here)?.gateways.filter((x) => x.node === ic.name) ?? []) {
        const line = lines.find((p) => index.node(p.peer).dc === g.remoteDc);
        const farTag = tagOf(g.remoteDc);
        if (!line || farTag === undefined || myTag === undefined) continue;
        prog.flows.push(
          `${c},table=0,priority=100,in_port=${g.gatewayPort},actions=${pwPush(farTag, plan.mplsTtl, gatewayMac(lab, ic.name), gatewayMac(lab, line.peer))},output:${line.ifname}`,
        );
        prog.flows.push(
          `${c},table=0,priority=100,in_port=${line.ifname},mpls,mpls_label=${myTag},actions=${PW_POP},output:${g.gatewayPort}`,
        );
      }
      prog.flows.push(`${c},table=0,priority=0,actions=drop`);
    }
  },
};
