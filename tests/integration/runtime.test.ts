// The netns runtime on real parts (root): deploy, inspect, send traffic, tear down, crash safety.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { getRuntime } from '../../src/runtime/index.js';
import { listOvsBridges, listRootLinks } from '../../src/runtime/netns/system.js';
import type { LabState, StatusDoc } from '../../src/runtime/types.js';
import { loadLabText } from '../../src/topology/index.js';
import type { LabModel } from '../../src/topology/model.js';
import { chainLab, smallLab } from '../fixtures/runtime-labs.js';
import { udpCount } from './udp-count.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const stateDir = mkdtempSync(join(tmpdir(), 'fabric-it-state-'));
process.env.FABRIC_STATE_DIR = stateDir;
const rt = getRuntime('netns');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/status.schema.json'), 'utf8')) as object;

async function cli(
  args: string[],
  opts: { reject?: boolean } = {},
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await tryRun(process.execPath, [...CLI, ...args], { timeout: 600_000 });
  if (opts.reject !== false && r.exitCode !== 0)
    throw new Error(`fabric ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

async function netnsList(): Promise<string[]> {
  const r = await run('ip', ['-j', 'netns', 'list']);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name) : [];
}

/** Everything of a lab still on the machine (by the names it planned and by its markers). */
async function leftovers(lab: string, planned: string[] = []): Promise<string[]> {
  const ns = (await netnsList()).filter((n) => n.startsWith(`clab-${lab}-`));
  const br = [...(await listOvsBridges())].filter(([, l]) => l === lab).map(([n]) => `bridge ${n}`);
  const links = [...(await listRootLinks())]
    .filter(([n, a]) => a === `fabric-lab=${lab}` || planned.includes(n))
    .map(([n]) => `if ${n}`);
  return [...ns, ...br, ...links];
}

async function ping(ns: string, ip: string): Promise<boolean> {
  const r = await tryRun('ip', ['netns', 'exec', ns, 'ping', '-c', '2', '-i', '0.2', '-W', '2', ip], {
    timeout: 20_000,
  });
  return r.exitCode === 0;
}

describe('netns runtime (root, real OVS)', function () {
  const LABS = ['rti', 'rtmtdc', 'rtk'];
  const planned = new Map<string, string[]>();

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    for (const lab of LABS) await rt.destroy(lab).catch(() => undefined);
  });

  after(async () => {
    for (const lab of LABS) await rt.destroy(lab).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  describe('a small lab', () => {
    let state: LabState;
    let status: StatusDoc;
    before(async () => {
      state = await rt.deploy(smallLab('rti'));
      planned.set('rti', state.planned.rootIfs);
      status = JSON.parse((await cli(['status', 'rti', '--json'])).stdout) as StatusDoc;
    });

    it('creates every namespace, bridge and host-side port with lab markers and secure netdev bridges', async () => {
      const ns = await netnsList();
      expect(state.phase).to.equal('deployed');
      for (const n of state.planned.netns) expect(ns).to.include(n);
      const br = await listOvsBridges();
      expect(br.get('rti-sw')).to.equal('rti');
      expect(br.get('rti-dc')).to.equal('rti');
      for (const b of ['rti-sw', 'rti-dc']) {
        const r = await run('ovs-vsctl', ['get', 'Bridge', b, 'fail_mode', 'datapath_type', 'protocols']);
        expect(r.stdout).to.contain('secure').and.contain('netdev').and.contain('OpenFlow15');
      }
      const vlan = await run('ovs-vsctl', ['get', 'Open_vSwitch', '.', 'other_config:vlan-limit']);
      expect(vlan.stdout.trim()).to.equal('"2"');
      const ports = await run('ovs-vsctl', [
        '--format=json',
        '--columns=name,external_ids',
        'find',
        'Interface',
        'external_ids:fabric-lab=rti',
      ]);
      expect((JSON.parse(ports.stdout) as { data: unknown[] }).data).to.have.length(5 + 2);
    });

    it('status --json follows the contract and matches what is on the machine', async () => {
      const validate = new Ajv({ strict: true }).compile(schema);
      expect(validate(status), JSON.stringify(validate.errors)).to.equal(true);
      expect(status.nodes).to.have.length(9);
      const root = await listRootLinks();
      const ns = await netnsList();
      for (const l of status.links) {
        for (const e of l.endpoints) {
          if (e.netns) {
            expect(ns).to.include(e.netns);
            const r = await run('ip', ['-n', e.netns, '-j', 'link', 'show', 'dev', e.ifname]);
            const link = (JSON.parse(r.stdout) as { operstate: string; flags: string[] }[])[0]!;
            expect(link.flags, `${e.node}:${e.ifname}`).to.include('UP');
          } else {
            expect(root.has(e.hostIf!), `${e.hostIf}`).to.equal(true);
            const bridge = status.nodes.find((n) => n.name === e.node)!.bridge!;
            const r = await run('ovs-vsctl', ['port-to-br', e.hostIf!]);
            expect(r.stdout.trim()).to.equal(bridge);
          }
        }
      }
    });

    it('applies MAC, MTU, addresses, tx offload off and IPv6 off on veth ends', async () => {
      const r = await run('ip', ['-n', 'clab-rti-h1', '-j', 'addr', 'show', 'dev', 'eth1']);
      const a = (
        JSON.parse(r.stdout) as { address: string; mtu: number; addr_info: { local: string; family: string }[] }[]
      )[0]!;
      expect(a.address).to.equal('02:00:00:00:00:01');
      expect(a.mtu).to.equal(1500);
      expect(a.addr_info.map((x) => `${x.family}:${x.local}`)).to.deep.equal(['inet:10.20.30.1']);
      const inNs = await run('ip', ['netns', 'exec', 'clab-rti-h1', 'ethtool', '-k', 'eth1']);
      expect(inNs.stdout).to.match(/tx-checksumming: off/);
      const host = await run('ethtool', ['-k', 'rti-sw_1']);
      expect(host.stdout).to.match(/tx-checksumming: off/);
      expect(readFileSync('/proc/sys/net/ipv6/conf/rti-sw_1/disable_ipv6', 'utf8').trim()).to.equal('1');
      const v6 = await run('ip', ['netns', 'exec', 'clab-rti-h1', 'sysctl', '-n', 'net.ipv6.conf.all.disable_ipv6']);
      expect(v6.stdout.trim()).to.equal('1');
    });

    it('carries ping AND UDP across a tenant access bridge (offload fix)', async () => {
      expect(await ping('clab-rti-h1', '10.20.30.2')).to.equal(true);
      expect(await udpCount('clab-rti-h1', 'clab-rti-h2', '10.20.30.2')).to.equal(20);
    });

    it('shows the offload trap: with tx checksum offload back on, UDP dies on the userspace datapath', async () => {
      await run('ip', ['netns', 'exec', 'clab-rti-h1', 'ethtool', '-K', 'eth1', 'tx', 'on']);
      try {
        expect(await udpCount('clab-rti-h1', 'clab-rti-h2', '10.20.30.2')).to.be.lessThan(20);
      } finally {
        await run('ip', ['netns', 'exec', 'clab-rti-h1', 'ethtool', '-K', 'eth1', 'tx', 'off']);
      }
    });

    it('builds the provider segment (VXLAN dstport 4789 + bridge) inside namespaces', async () => {
      const d = await run('ip', ['-n', 'clab-rti-pa', '-d', 'link', 'show', 'vx0']);
      expect(d.stdout).to.contain('dstport 4789');
      expect(await ping('clab-rti-h4', '10.99.0.5')).to.equal(true);
      expect(await udpCount('clab-rti-h4', 'clab-rti-h5', '10.99.0.5')).to.equal(20);
    });

    it('converges when up runs again (idempotent)', async () => {
      const again = await rt.deploy(smallLab('rti'));
      expect(again.phase).to.equal('deployed');
      expect(again.stages.find((s) => s.stage === 'veth')!.detail).to.match(/^0 created/);
      expect(await ping('clab-rti-h1', '10.20.30.2')).to.equal(true);
    });

    it('down removes everything the lab created', async () => {
      const out = await cli(['down', 'rti']);
      expect(out.stdout).to.contain('removed 7 namespaces, 2 OVS bridges');
      expect(await leftovers('rti', planned.get('rti'))).to.deep.equal([]);
      expect(existsSync(join(stateDir, 'rti.json'))).to.equal(false);
    });
  });

  describe('the reference lab (labs/mtdc, renamed so it never touches a real mtdc)', () => {
    let model: LabModel;
    before(() => {
      const text = readFileSync(join(ROOT, 'labs/mtdc/fabric.yml'), 'utf8').replace(/^name: mtdc$/m, 'name: rtmtdc');
      model = loadLabText(text, 'fabric.yml');
    });

    it('deploys, matches status, and tears down clean', async () => {
      const state = await rt.deploy(model);
      planned.set('rtmtdc', state.planned.rootIfs);
      const status = await rt.status('rtmtdc');
      const ns = await netnsList();
      const expectNs = status.nodes.filter((n) => n.netns).map((n) => n.netns!);
      expect(expectNs.length).to.be.greaterThan(10);
      for (const n of expectNs) expect(ns).to.include(n);
      const br = await listOvsBridges();
      for (const n of status.nodes.filter((x) => x.kind === 'ovs-bridge'))
        expect(br.get(n.bridge!), n.name).to.equal('rtmtdc');
      const root = await listRootLinks();
      // A virtual hypervisor's tap is made when its guest boots (the failover setup of `fabric up`),
      // not by the runtime's deploy, so links to guests are checked by the failover suites.
      const guests = new Set(status.nodes.filter((n) => n.kind === 'generic_vm').map((n) => n.name));
      expect(guests.size).to.be.greaterThan(0);
      for (const l of status.links) {
        if (l.endpoints.some((e) => guests.has(e.node))) continue;
        for (const e of l.endpoints) if (e.hostIf) expect(root.get(e.hostIf), e.hostIf).to.equal('fabric-lab=rtmtdc');
      }
      await rt.destroy('rtmtdc');
      expect(await leftovers('rtmtdc', state.planned.rootIfs)).to.deep.equal([]);
    });
  });

  describe('crash safety', () => {
    it('`down` cleans everything after `up` was SIGKILLed halfway', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fabric-it-kill-'));
      try {
        const file = join(dir, 'rtk.model.json');
        writeFileSync(file, JSON.stringify(chainLab('rtk', 300)));
        const child = spawn(process.execPath, [...CLI, 'up', file], { stdio: 'ignore', env: process.env });
        const stateFile = join(stateDir, 'rtk.json');
        let killedAt: LabState | null = null;
        for (let i = 0; i < 3000 && child.exitCode === null; i++) {
          try {
            const s = JSON.parse(readFileSync(stateFile, 'utf8')) as LabState;
            if (s.created.netns.length > 0) {
              child.kill('SIGKILL');
              killedAt = s;
              break;
            }
          } catch {
            /* not written yet */
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await new Promise<void>((r) =>
          child.exitCode !== null || child.signalCode ? r() : child.on('exit', () => r()),
        );
        expect(killedAt, 'state file showed created objects before the kill').to.not.equal(null);
        expect(child.signalCode).to.equal('SIGKILL');
        const s = JSON.parse(readFileSync(stateFile, 'utf8')) as LabState;
        expect(s.phase).to.equal('deploying');
        planned.set('rtk', s.planned.rootIfs);
        expect(
          (await leftovers('rtk', s.planned.rootIfs)).length,
          'something existed after the kill',
        ).to.be.greaterThan(0);
        await cli(['down', 'rtk']);
        expect(await leftovers('rtk', s.planned.rootIfs)).to.deep.equal([]);
        expect(existsSync(stateFile)).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('`down --all` finds a lab whose state file is gone, by its markers', async () => {
      const state = await rt.deploy(smallLab('rtk'));
      rmSync(join(stateDir, 'rtk.json'));
      const out = await cli(['down', '--all', '--prefix', 'rtk']); // never touch other labs on a shared machine
      expect(out.stdout).to.contain('lab rtk: removed 7 namespaces, 2 OVS bridges');
      expect(await leftovers('rtk', state.planned.rootIfs)).to.deep.equal([]);
    });
  });
});
