// The `ip` group of FakeHostNet: namespaces, links and addresses kept in the fake's model.
import { CommandError } from './exec.js';
import { linkKey as key, type FakeState } from './fake-state.js';
import type { IpOps, LinkInfo, Ns } from './host-net.js';
import { argvIn, vxlanArgs } from './ip.js';

export function fakeIp(self: FakeState): IpOps {
  const linkOr = (netns: Ns, ifname: string): LinkInfo => {
    const l = self.links.get(key(netns, ifname));
    if (!l) throw new CommandError(`ip link ${ifname}`, 1, `Cannot find device "${ifname}"`);
    return l;
  };
  return {
    async listNetns() {
      self.record('ip.listNetns', []);
      return new Set(self.netns);
    },
    async addNetns(names) {
      self.record('ip.addNetns', [names]);
      // A new namespace has its loopback, down, as the kernel creates it.
      for (const n of names) if (!self.netns.has(n)) self.addLink(n, 'lo', { up: false, operstate: 'DOWN' });
    },
    async delNetns(names) {
      self.record('ip.delNetns', [names]);
      for (const n of names) {
        self.netns.delete(n);
        for (const k of [...self.links.keys()]) if (k.startsWith(`${n}/`)) self.links.delete(k);
      }
    },
    async links(netns) {
      self.record('ip.links', [netns]);
      if (netns && !self.netns.has(netns)) throw new CommandError(`ip -n ${netns}`, 1, 'No such file or directory');
      return [...self.links].filter(([k]) => k.startsWith(`${netns ?? ''}/`)).map(([, l]) => ({ ...l }));
    },
    async link(netns, ifname) {
      self.record('ip.link', [netns, ifname]);
      const l = self.links.get(key(netns, ifname));
      return l ? { ...l } : null;
    },
    async linksInAllNetns() {
      self.record('ip.linksInAllNetns', []);
      const out = new Map<string, Map<string, string | undefined>>();
      for (const n of self.netns) out.set(n, new Map());
      for (const [k, l] of self.links) {
        const ns = k.slice(0, k.indexOf('/'));
        if (ns) out.get(ns)?.set(l.ifname, l.alias);
      }
      return out;
    },
    async setLink(netns, ifname, attrs) {
      self.record('ip.setLink', [netns, ifname, attrs]);
      const l = linkOr(netns, ifname);
      if (attrs.up !== undefined) {
        l.up = attrs.up;
        l.operstate = attrs.up ? 'UP' : 'DOWN';
      }
      if (attrs.mtu !== undefined) l.mtu = attrs.mtu;
      if (attrs.address !== undefined) l.mac = attrs.address;
      if (attrs.master !== undefined) l.master = attrs.master;
      if (attrs.alias !== undefined) l.alias = attrs.alias;
    },
    async addVeth(a, b, inNs = null) {
      self.record('ip.addVeth', [a, b, inNs]);
      for (const e of [a, b]) {
        const where = e.netns ?? inNs;
        const info: Partial<LinkInfo> = { up: false, operstate: 'DOWN' };
        if (e.mac) info.mac = e.mac;
        if (e.mtu !== undefined) info.mtu = e.mtu;
        self.addLink(where, e.ifname, info);
      }
    },
    async delLink(netns, ifname) {
      self.record('ip.delLink', [netns, ifname]);
      return self.links.delete(key(netns, ifname));
    },
    async addAddress(netns, ifname, cidr, opts = {}) {
      self.record('ip.addAddress', [netns, ifname, cidr, opts]);
      linkOr(netns, ifname);
      const list = self.addrs.get(key(netns, ifname)) ?? [];
      if (!list.includes(cidr)) list.push(cidr);
      self.addrs.set(key(netns, ifname), list);
    },
    async delAddress(netns, ifname, cidr) {
      self.record('ip.delAddress', [netns, ifname, cidr]);
      const list = self.addrs.get(key(netns, ifname)) ?? [];
      const i = list.indexOf(cidr);
      if (i >= 0) list.splice(i, 1);
      return i >= 0;
    },
    async addresses(netns, ifname, family = 4) {
      self.record('ip.addresses', [netns, ifname, family]);
      const list = self.addrs.get(key(netns, ifname)) ?? [];
      return list.filter((a) => a.includes(':') === (family === 6));
    },
    async neighbours(netns, ifname, family = 4) {
      self.record('ip.neighbours', [netns, ifname, family]);
      return self.neigh.get(key(netns, ifname)) ?? [];
    },
    async batch(lines, opts = {}) {
      self.record('ip.batch', [lines, opts]);
    },
    async inEachNetns(jobs, opts = {}) {
      self.record('ip.inEachNetns', [jobs, opts]);
    },
    argvIn,
    async exec(netns, argv, opts) {
      self.record('ip.exec', [netns, argv, opts]);
      const r = self.execResult(netns, argv);
      if (r.exitCode !== 0) throw new CommandError(r.command, r.exitCode, r.stderr);
      return r;
    },
    async tryExec(netns, argv, opts) {
      self.record('ip.tryExec', [netns, argv, opts]);
      return self.execResult(netns, argv);
    },

    ...failoverOps(self),
  };
}

type FailoverOps = Pick<IpOps, 'replaceNeighbour' | 'addVxlan' | 'addBridgeDevice'>;

// Failover and fault injection.
function failoverOps(self: FakeState): FailoverOps {
  return {
    async replaceNeighbour(netns, ifname, ip, mac, nud) {
      self.record('ip.replaceNeighbour', [netns, ifname, ip, mac, nud]);
      const list = (self.neigh.get(key(netns, ifname)) ?? []).filter((n) => n.ip !== ip);
      list.push({ ip, mac, state: [nud.toUpperCase()] });
      self.neigh.set(key(netns, ifname), list);
    },
    async addVxlan(netns, ifname, v) {
      self.record('ip.addVxlan', [netns, ifname, v]);
      vxlanArgs(v);
      if (!self.links.has(key(netns, v.dev)))
        throw new CommandError(`ip link add ${ifname}`, 1, `Cannot find device "${v.dev}"`);
      self.addLink(netns, ifname, { up: false, operstate: 'DOWN' });
    },
    async addBridgeDevice(netns, ifname) {
      self.record('ip.addBridgeDevice', [netns, ifname]);
      self.addLink(netns, ifname, { up: false, operstate: 'DOWN' });
    },
  };
}
