// Inserting the userspace relay on a link and taking it out again. The veth pair a—b becomes
// a—ra [relay namespace] rb—b': the end b is moved into the relay namespace as `ra` (it stays a's
// peer), and a new veth gives b's node a fresh b (same name, MAC, MTU) with `rb` in the relay
// namespace. There, hub bridges join ra to vxa and rb to vxb, two VXLAN devices (VNI 1 and 2)
// over a veth to the process namespace, where the relay receives every frame as a datagram and
// sends it back on the other VNI. tbf (rate) sits on ra and rb egress. Both captured ends keep
// their names, so the capture layer sees what a offered and what b received.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, type ImpairCaps } from '../hostnet/index.js';
import { labAlias, netnsName } from '../names/index.js';
import { nsBatch, ovsPortCommands } from '../runtime/netns/commands.js';
import { placement, type NetnsPlan } from '../runtime/netns/plan.js';
import type { ImpairSpec, LabModel } from '../topology/index.js';
import type { EndRef, RelayRecord } from './state.js';

export const RELAY_PORT = 4789;
const UP = { addr: '169.254.77.1', peer: '169.254.77.2', prefix: 30 } as const;
/** The relay path carries a whole link frame inside VXLAN: room for the largest link MTU. */
const PATH_MTU = 9500;

/** Namespaces of a link's relay: `clab-<lab>-_imp<hash>` (never a node name: those have no `_`). */
export function relayNames(lab: string, link: string): { relayNs: string; procNs: string } {
  const h = createHash('sha256').update(link).digest('hex').slice(0, 8);
  return { relayNs: netnsName(lab, `_imp${h}`), procNs: netnsName(lab, `_imp${h}p`) };
}

/** The end that is recreated: a root-namespace end (no netdevs hang on it) if there is one, else b. */
export function pickMoved(a: EndRef, b: EndRef): { moved: EndRef; kept: EndRef } {
  if (b.netns === null || a.netns !== null) return { moved: b, kept: a };
  return { moved: a, kept: b };
}

/** tbf arguments for a rate: a burst of at least two frames and one timer tick's worth of bytes. */
export function tbfSpec(rateBps: number, mtu: number): string[] {
  const burst = Math.max(2 * (mtu + 64), Math.ceil(rateBps / 8 / 250));
  return ['tbf', 'rate', `${rateBps}bit`, 'burst', String(burst), 'latency', '100ms'];
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end)
      throw new FabricError('E_IMPAIR_FAILED', `${what} did not happen within ${ms} ms`, {
        hint: 'fabric down <lab> removes every relay and its namespaces',
      });
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Gives a recreated (or returned) end its node-side configuration again. */
export async function reconfigureEnd(
  lab: string,
  model: LabModel,
  plan: NetnsPlan,
  end: EndRef,
  ofport?: number,
): Promise<void> {
  const h = hostNet();
  const node = model.nodes.find((n) => n.name === end.node);
  if (!node) throw new FabricError('E_IMPAIR_FAILED', `node ${end.node} is not in the lab model`);
  if (end.netns === null) {
    h.kernel.disableIpv6Root([end.ifname]);
    await h.ip.batch([`link set dev ${end.ifname} alias ${labAlias(lab)}`, `link set dev ${end.ifname} up`]);
    await h.kernel.txOffloadOff(null, [end.ifname]);
    if (placement(node) === 'linux-bridge') {
      const br = plan.linuxBridges.find((b) => b.node === node.name);
      if (br) await h.ip.setLink(null, end.ifname, { master: br.name });
    }
    // ovs-vswitchd keeps a datapath port on the old device: the port is deleted and added again
    // (same columns as the deploy gave it, same OpenFlow port number), so flows keep matching.
    const br = plan.ovsBridges.find((b) => b.node === node.name);
    const port = br?.ports.find((p) => p.name === end.ifname);
    if (br && port) {
      await h.ovs.delPort(br.name, end.ifname);
      const add = ovsPortCommands(lab, [{ ...br, ports: [port] }])[0] ?? [];
      const req = ofport !== undefined ? ['--', 'set', 'Interface', end.ifname, `ofport_request=${ofport}`] : [];
      await h.ovs.transaction([...add, ...req]);
    }
    if (ofport !== undefined)
      await waitFor(
        `OVS port ${end.ifname} back on ofport ${ofport}`,
        async () => (await h.ovs.ofports()).get(end.ifname) === ofport,
        15_000,
      );
    return;
  }
  const ns = plan.namespaces.find((n) => n.node === node.name);
  if (!ns) throw new FabricError('E_IMPAIR_FAILED', `node ${end.node} has no namespace in this lab`);
  const existing = new Set((await h.ip.links(ns.netns)).map((l) => l.ifname));
  await h.ip.batch(nsBatch(lab, ns, existing), { netns: ns.netns });
  await h.kernel.txOffloadOff(ns.netns, [end.ifname]);
}

export interface RelayStart {
  lab: string;
  link: string;
  spec: ImpairSpec;
  seed: number;
  script: string;
  log: string;
  caps: ImpairCaps;
}

/** Starts the relay process in the process namespace and waits for its `listening` line. */
export async function startRelayProcess(r: RelayRecord, s: RelayStart): Promise<void> {
  const h = hostNet();
  const cfg = {
    bind: UP.peer,
    port: RELAY_PORT,
    peer: UP.addr,
    delayUs: s.spec.delayUs ?? 0,
    jitterUs: s.spec.jitterUs ?? 0,
    loss: s.spec.loss ?? 0,
    duplicate: s.spec.duplicate ?? 0,
    reorder: s.spec.reorder ?? 0,
    seed: s.seed,
  };
  const start = (() => {
    try {
      return readFileSync(s.log, 'utf8').length;
    } catch {
      return 0;
    }
  })();
  r.process = h.impair.spawnDetached(h.ip.argvIn(r.procNs, [s.caps.node, s.script, JSON.stringify(cfg)]), s.log);
  const proc = r.process;
  const said = (): string => {
    try {
      return readFileSync(s.log, 'utf8').slice(start);
    } catch {
      return '';
    }
  };
  await waitFor(
    `the relay of ${s.link} listening`,
    () => {
      if (said().includes('"listening"')) return true;
      if (!h.impair.isAlive(proc.pid, proc.start))
        throw new FabricError('E_IMPAIR_FAILED', `the relay of ${s.link} exited: ${said().trim().slice(-400)}`, {
          hint: 'fabric down <lab> removes every relay and its namespaces',
        });
      return false;
    },
    10_000,
  );
}

/** Rate limit on both relay egress veths (or none). */
export async function setRelayRate(r: RelayRecord, spec: ImpairSpec): Promise<void> {
  const k = hostNet().kernel;
  for (const dev of ['ra', 'rb']) {
    if (spec.rateBps) await k.setQdisc(r.relayNs, dev, tbfSpec(spec.rateBps, r.moved.mtu));
    else await k.clearQdisc(r.relayNs, dev);
  }
}

/** Builds the relay namespaces and splices them into the link (no process yet). */
export async function insertRelay(lab: string, model: LabModel, plan: NetnsPlan, r: RelayRecord): Promise<void> {
  const h = hostNet();
  const { relayNs: R, procNs: P, moved: X } = r;
  await h.ip.addNetns([R, P]);
  for (const ns of [R, P])
    await h.ip.batch([`link set dev lo alias ${labAlias(lab)}`, 'link set dev lo up'], { netns: ns });
  if (r.ofport !== undefined) await h.ovs.transaction(['set', 'Interface', X.ifname, `ofport_request=${r.ofport}`]);
  await h.impair.moveLink(X.netns, X.ifname, R, 'ra');
  await h.ip.addVeth(
    { ifname: X.ifname, netns: X.netns, mtu: X.mtu, ...(X.mac ? { mac: X.mac } : {}) },
    { ifname: 'rb', netns: R, mtu: X.mtu },
  );
  await reconfigureEnd(lab, model, plan, X, r.ofport);
  await h.ip.addVeth({ ifname: 'up0', netns: R, mtu: PATH_MTU }, { ifname: 'dn0', netns: P, mtu: PATH_MTU });
  await h.ip.addAddress(R, 'up0', `${UP.addr}/${UP.prefix}`);
  await h.ip.addAddress(P, 'dn0', `${UP.peer}/${UP.prefix}`);
  for (const [dev, vni] of [
    ['vxa', 1],
    ['vxb', 2],
  ] as const) {
    await h.ip.addVxlan(R, dev, { vni, local: UP.addr, remote: UP.peer, dstport: RELAY_PORT, dev: 'up0' });
    await h.ip.setLink(R, dev, { mtu: X.mtu });
  }
  await h.impair.addHubBridge(R, 'bra', ['ra', 'vxa']);
  await h.impair.addHubBridge(R, 'brb', ['rb', 'vxb']);
  await h.kernel.txOffloadOff(R, ['ra', 'rb', 'up0']);
  await h.kernel.txOffloadOff(P, ['dn0']);
  await h.ip.batch(
    ['up0', 'vxa', 'vxb', 'ra', 'rb', 'bra', 'brb'].map((d) => `link set dev ${d} up`),
    { netns: R },
  );
  await h.ip.batch(['link set dev dn0 up'], { netns: P });
}

/** Stops the relay and gives the moved end back its original interface (a's peer again). */
export async function removeRelay(lab: string, model: LabModel, plan: NetnsPlan, r: RelayRecord): Promise<void> {
  const h = hostNet();
  if (r.process) await h.impair.stop(r.process.pid, r.process.start);
  const ns = await h.ip.listNetns();
  if (ns.has(r.relayNs)) {
    const there = new Set((await h.ip.links(r.relayNs)).map((l) => l.ifname));
    if (there.has('rb')) await h.ip.delLink(r.relayNs, 'rb');
    if (there.has('ra')) {
      // The recreated end vanished with rb; wait until its name is free on the node.
      await waitFor(
        `${r.moved.ifname} gone`,
        async () => (await h.ip.link(r.moved.netns, r.moved.ifname)) === null,
        10_000,
      );
      await h.impair.moveLink(r.relayNs, 'ra', r.moved.netns, r.moved.ifname);
      await h.ip.setLink(r.moved.netns, r.moved.ifname, {
        mtu: r.moved.mtu,
        ...(r.moved.mac ? { address: r.moved.mac } : {}),
      });
      await reconfigureEnd(lab, model, plan, r.moved, r.ofport);
    }
  }
  await h.ip.delNetns([r.relayNs, r.procNs].filter((n) => ns.has(n)));
}
