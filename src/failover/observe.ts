// What the failover suite judges, observed on the live lab: the bridge each virtual hypervisor's
// tap is on, and whether each customer VM answers at its declared IP and MAC from a client of its
// tenant in every DC. The conformance probe records this; the suite only reads it.
import { hostNet } from '../hostnet/index.js';
import type { LabModel } from '../topology/model.js';
import { layoutOf, siteSystems } from './layout.js';

/** A client the probe may ping from (a conformance system: an endpoint namespace). */
export interface ObserverClient {
  tenant: string;
  dc: string;
  vlan: number;
  node: string;
  netns: string;
  ifname: string;
}

export interface CustomerVmAsk {
  from: string;
  dc: string;
  /** `tenant/site` of the customer VM, its name and address. */
  site: string;
  system: string;
  ip: string;
  answered: boolean;
  /** The MAC the client resolved the address to (null: none). */
  mac: string | null;
}

export interface FailoverObservation {
  /** VM name → the bridge its tap (a host stack: its port) is on, or null. */
  taps: Record<string, string | null>;
  asks: CustomerVmAsk[];
}

/** One question: ping the customer VM from the client, then read the client's neighbour entry. */
async function ask(from: ObserverClient, site: string, sys: { name: string; ip: string }): Promise<CustomerVmAsk> {
  const ip = sys.ip.split('/')[0]!;
  const net = hostNet().ip;
  const p = await net.tryExec(from.netns, ['ping', '-n', '-c', '3', '-i', '0.3', '-W', '2', ip]);
  const mac = (await net.neighbours(from.netns, from.ifname)).find((n) => n.ip === ip)?.mac ?? null;
  return {
    from: from.node,
    dc: from.dc,
    site,
    system: sys.name,
    ip,
    answered: / [1-9]\d* received/.test(p.stdout),
    mac: mac?.toLowerCase() ?? null,
  };
}

export async function observeFailover(model: LabModel, clients: ObserverClient[]): Promise<FailoverObservation> {
  const layout = layoutOf(model);
  const questions: (() => Promise<CustomerVmAsk>)[] = [];
  for (const h of layout.hypervisors.filter((x) => x.site)) {
    const tenant = h.site!.split('/')[0];
    for (const sys of siteSystems(model, h.site!)) {
      const dcs = [...new Set(clients.filter((s) => s.tenant === tenant).map((s) => s.dc))];
      for (const dc of dcs) {
        const from = clients.find((s) => s.tenant === tenant && s.dc === dc && s.vlan === sys.vlan);
        if (from) questions.push(() => ask(from, h.site!, sys));
      }
    }
  }
  // Every question at once: each waits on a guest's answer (its ARP reply and echo replies from
  // an emulated CPU), not on this machine; asked one after another they added up to seconds.
  const [bridges, asks] = await Promise.all([
    Promise.all(layout.vms.map((vm) => hostNet().ovs.portBridge(vm.tap))),
    Promise.all(questions.map((q) => q())),
  ]);
  const taps: Record<string, string | null> = {};
  layout.vms.forEach((vm, i) => (taps[vm.name] = bridges[i]!));
  return { taps, asks };
}
