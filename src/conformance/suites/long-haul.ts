// long-haul: Tag4 is swapped (and its TTL decremented) at every P hop, the outer IPv4/UDP/VXLAN
// header exists on the provider segment and nowhere else.
import type { MplsLayer } from '../../decode/types.js';
import { linkData, linkLayers, type CapturedFrame } from '../frames.js';
import type { CheckDef } from '../judge.js';
import { hasLayer, Violations } from '../judge.js';
import { GATEWAY_TRANSPORT_IF, VTEP } from '../../topology/hypervisors.js';

const topMpls = (f: CapturedFrame) => f.layers.find((l) => l.name === 'mpls') as MplsLayer | undefined;
/**
 * What a P router must not change: everything after the outer Ethernet and the top label (of the
 * frame on its link, inside a stitched link's VXLAN).
 */
const innerKey = (f: CapturedFrame) => Buffer.from(linkData(f).subarray(18)).toString('base64');

export const longHaul: CheckDef[] = [
  {
    suite: 'long-haul',
    id: 'long-haul/label-swap-per-p-hop',
    title: 'every P router swaps the transport label as planned and decrements its TTL by one',
    judge({ ctx, run, stats }) {
      const v = new Violations();
      let pairs = 0;
      let lspsWithTraffic = 0;
      for (const lsp of ctx.plan.lsps) {
        let used = false;
        lsp.hops.forEach((h, i) => {
          const next = lsp.hops[i + 1];
          if (!next || ctx.model.nodes.find((n) => n.name === h.to.node)?.role !== 'p') return;
          const ins = run.frames.filter((f) => f.linkId === h.linkId && topMpls(f)?.label === h.label);
          if (!ins.length) return;
          used = true;
          const outs = new Map(
            run.frames.filter((f) => f.linkId === next.linkId && topMpls(f)).map((f) => [innerKey(f), f]),
          );
          let matched = 0;
          for (const fi of ins) {
            const fo = outs.get(innerKey(fi));
            if (!fo) continue;
            matched++;
            pairs++;
            const a = topMpls(fi) as MplsLayer;
            const b = topMpls(fo) as MplsLayer;
            if (b.label !== next.label || b.label === a.label)
              v.add(`${h.to.node} forwarded label ${a.label} as ${b.label}, plan says ${next.label}`, fo);
            if (b.ttl !== a.ttl - 1) v.add(`${h.to.node} TTL ${a.ttl} → ${b.ttl}, expected ${a.ttl - 1}`, fo);
          }
          if (!matched)
            v.add(
              `${ins.length} frame(s) with label ${h.label} entered ${h.to.node} (${lsp.from}→${lsp.to}) and none left on ${next.linkId} with the same payload`,
              ins[0],
            );
        });
        if (used) lspsWithTraffic++;
      }
      stats.swapPairs = pairs;
      stats.lspsWithTraffic = lspsWithTraffic;
      v.throwIfAny('label swaps');
      if (ctx.plan.lsps.length && !pairs)
        throw new Error('no frame crossed any P router: the long haul carried no traffic');
    },
  },
  {
    suite: 'long-haul',
    id: 'long-haul/outer-ip-only-on-provider',
    title:
      "an outer IPv4/UDP 4789/VXLAN header on the provider segment and the hypervisors' VTEP links, and on no other link",
    judge({ ctx, run, stats }) {
      const v = new Violations();
      let provider = 0;
      let vtep = 0;
      // Seed 000 FIG. 5: VXLAN between a virtual hypervisor's VTEP and its physical hypervisor's
      // bridge device, on VM taps and the bridge device's transport interface only.
      const role = (n: string) => ctx.model.nodes.find((x) => x.name === n)?.role;
      const vtepLink = (f: CapturedFrame) => {
        if (f.cls !== 'hypervisor') return false;
        if (role(f.node) === 'vm' || role(f.peer) === 'vm') return true;
        const l = ctx.model.links.find((x) => x.id === f.linkId);
        return !!l?.endpoints.some((e) => role(e.node) === 'vxlan-gateway' && e.ifname === GATEWAY_TRANSPORT_IF);
      };
      const p = ctx.plan.provider;
      for (const f of run.frames) {
        // A stitched link's own outer VXLAN is tag-stack's to judge: this looks inside it.
        const layers = linkLayers(f);
        const vx = hasLayer(layers, 'vxlan');
        if (f.cls === 'provider') {
          if (!hasLayer(layers, 'mpls')) continue; // provider-link ARP between the routers
          provider++;
          const ip = layers[1];
          const udp = layers[2];
          const okIp =
            ip?.name === 'ipv4' && p && [p.local, p.remote].includes(ip.src) && [p.local, p.remote].includes(ip.dst);
          if (!vx || !okIp || udp?.name !== 'udp' || udp.dport !== 4789)
            v.add(`provider frame without the planned outer IPv4/UDP 4789/VXLAN`, f);
        } else if (vx && vtepLink(f)) {
          vtep++;
          const i = layers.findIndex((x) => x.name === 'vxlan');
          const ip = layers[i - 2];
          const udp = layers[i - 1];
          const ends: string[] = [VTEP.gatewayIp, VTEP.guestIp];
          if (
            ip?.name !== 'ipv4' ||
            !ends.includes(ip.src) ||
            !ends.includes(ip.dst) ||
            udp?.name !== 'udp' ||
            udp.dport !== VTEP.dstport
          )
            v.add(`VTEP frame on ${f.linkId} without the VTEP pair's outer IPv4/UDP ${VTEP.dstport}`, f);
        } else if (vx) {
          v.add(`VXLAN outer header on ${f.cls} link ${f.linkId}`, f);
        }
      }
      stats.providerFrames = provider;
      stats.vtepFrames = vtep;
      v.throwIfAny('outer IP placement');
      if (p && !provider) throw new Error('no tenant frame crossed the provider segment');
    },
  },
];
