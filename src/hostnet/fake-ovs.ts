// The `ovs` group of FakeHostNet: bridges, ports, their columns and OpenFlow tables in the model.
import { CommandError } from './exec.js';
import type { FakeState } from './fake-state.js';
import type { OvsOps } from './host-net.js';

export function fakeOvs(self: FakeState): OvsOps {
  return {
    async transaction(commands, opts = {}) {
      self.record('ovs.transaction', [commands, opts]);
    },
    async bridges() {
      self.record('ovs.bridges', []);
      return new Map([...self.bridgeTable].map(([n, b]) => [n, { ...b.externalIds }]));
    },
    async bridgeNames() {
      self.record('ovs.bridgeNames', []);
      return [...self.bridgeTable.keys()].sort();
    },
    async delBridges(names) {
      self.record('ovs.delBridges', [names]);
      for (const n of names) self.bridgeTable.delete(n);
    },
    async addPort(bridge, port, columns = [], at = {}) {
      self.record('ovs.addPort', [bridge, port, columns, at]);
      const b = self.bridge(bridge);
      if (!b.ports.has(port)) b.ports.set(port, [...columns]);
    },
    async delPort(bridge, port, at = {}) {
      self.record('ovs.delPort', [bridge, port, at]);
      const owner = bridge ?? self.portOwner(port);
      if (owner) self.bridgeTable.get(owner)?.ports.delete(port);
    },
    async setPort(port, columns) {
      self.record('ovs.setPort', [port, columns]);
      const owner = self.portOwner(port);
      if (!owner) throw new CommandError(`ovs-vsctl set Port ${port}`, 1, `no row "${port}" in table Port`);
      const cols = self.bridgeTable.get(owner)!.ports.get(port)!;
      for (const c of columns) {
        const k = c.slice(0, c.indexOf('='));
        const i = cols.findIndex((x) => x.startsWith(`${k}=`));
        if (i >= 0) cols[i] = c;
        else cols.push(c);
      }
    },
    async clearPort(port, column) {
      self.record('ovs.clearPort', [port, column]);
      const owner = self.portOwner(port);
      const cols = owner ? self.bridgeTable.get(owner)!.ports.get(port)! : [];
      const i = cols.findIndex((x) => x.startsWith(`${column}=`));
      if (i >= 0) cols.splice(i, 1);
    },
    async portBridge(port) {
      self.record('ovs.portBridge', [port]);
      return self.portOwner(port);
    },
    async setOtherConfig(k, v, opts = {}) {
      self.record('ovs.setOtherConfig', [k, v, opts]);
      self.otherConfig.set(k, v);
    },
    async ofports(bridges) {
      self.record('ovs.ofports', bridges ? [bridges] : []);
      const m = new Map<string, number>();
      let n = 1;
      for (const b of self.bridgeTable.values()) for (const p of b.ports.keys()) m.set(p, n++);
      return m;
    },
    async dumpFlows(bridge, opts = {}) {
      self.record('ovs.dumpFlows', [bridge, opts]);
      const b = self.bridgeTable.get(bridge);
      return b ? [...b.flows] : null;
    },
    async dumpGroups(bridge, opts = {}) {
      self.record('ovs.dumpGroups', [bridge, opts]);
      const b = self.bridgeTable.get(bridge);
      return b ? [...b.groups] : null;
    },
    async dumpMeters(bridge, opts = {}) {
      self.record('ovs.dumpMeters', [bridge, opts]);
      const b = self.bridgeTable.get(bridge);
      return b ? b.meters.join('\n') : null;
    },
    async delMeters(bridge, opts = {}) {
      self.record('ovs.delMeters', [bridge, opts]);
      const b = self.bridgeTable.get(bridge);
      if (b) b.meters = [];
    },
    async setMeter(bridge, meter, opts = {}) {
      self.record('ovs.setMeter', [bridge, meter, opts]);
      self.bridge(bridge).meters.push(meter);
    },
    async addFlows(bridge, flows, opts = {}) {
      self.record('ovs.addFlows', [bridge, flows, opts]);
      self.bridge(bridge).flows.push(...flows);
    },
    async addGroups(bridge, groups, opts = {}) {
      self.record('ovs.addGroups', [bridge, groups, opts]);
      self.bridge(bridge).groups.push(...groups);
    },
    async replaceFlows(bridge, flows, opts = {}) {
      self.record('ovs.replaceFlows', [bridge, flows, opts]);
      self.bridge(bridge).flows = [...flows];
    },
    async bundle(bridge, lines, opts = {}) {
      self.record('ovs.bundle', [bridge, lines, opts]);
      self.bridge(bridge);
    },
    async diffFlows(bridge, flows, opts = {}) {
      self.record('ovs.diffFlows', [bridge, flows, opts]);
      return lineDiff(self.bridge(bridge).flows, flows.split('\n'));
    },
    async diffFlowTexts(a, b, opts = {}) {
      self.record('ovs.diffFlowTexts', [a, b, opts]);
      return lineDiff(a.split('\n'), b.split('\n'));
    },
    async addFlowEach(items) {
      self.record('ovs.addFlowEach', [items]);
      for (const i of items) self.bridge(i.bridge).flows.push(i.flow);
    },
    async appctl(args, opts = {}) {
      self.record('ovs.appctl', [args, opts]);
      return '';
    },
  };
}

/** diff-flows on exact text: '-' lines only in `have`, '+' lines only in `want`. */
function lineDiff(have: readonly string[], want: readonly string[]): string[] {
  const h = new Set(have.filter((l) => l.trim()));
  const w = new Set(want.filter((l) => l.trim()));
  return [
    ...[...h].filter((f) => !w.has(f)).map((f) => `-${f}`),
    ...[...w].filter((f) => !h.has(f)).map((f) => `+${f}`),
  ];
}
