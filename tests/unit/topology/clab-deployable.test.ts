// What `fabric generate` hands a containerlab user: the bridges script (golden, beside the
// committed labs/mtdc/mtdc.clab.yml), fabric's images in the file, and hypervisor labs refused
// unless their fabric part is asked for (--without-hypervisors, golden).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { parse } from 'yaml';
import { register } from '../../../src/cli/generate.js';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import type { FabricError } from '../../../src/errors/fabric-error.js';
import { run } from '../../../src/hostnet/exec.js';
import { bridgesScript } from '../../../src/runtime/containerlab/bridges-script.js';
import { ContainerlabRuntime } from '../../../src/runtime/containerlab/index.js';
import { fabricPart, refuseHypervisors, vmNodes, withoutHypervisors } from '../../../src/topology/clab-hypervisors.js';
import { generateClab, loadLab, renderClab, validateClab } from '../../../src/topology/index.js';
import { computePlan } from '../../../src/tagging/plan.js';
import type { LabModel } from '../../../src/topology/model.js';
import { golden } from '../../helpers/golden.js';

/** The nodes of the fabric part with the full intent: what attach planned before the sites were dropped. */
const withoutHostedOnly = (full: LabModel): LabModel => ({ ...withoutHypervisors(full).model, intent: full.intent });

const ROOT = new URL('../../../', import.meta.url).pathname;
const GOLDEN = join(ROOT, 'tests/golden/topology/clab');

function program(): Command {
  const p = new Command('fabric').exitOverride();
  register(p);
  return p;
}

describe('topology clab: deployable as is', () => {
  it('the committed labs/mtdc/mtdc.bridges.sh is what generate produces (--without-hypervisors once it has VMs)', async () => {
    const { model } = fabricPart(await loadLab(join(ROOT, 'labs/mtdc/fabric.yml')));
    golden(join(ROOT, 'labs/mtdc/mtdc.bridges.sh'), bridgesScript(model, 'fabric.yml'));
  });

  it('the bridges script is valid sh, sets every option fabric uses, and covers every bridge and port', async () => {
    const { model } = fabricPart(await loadLab(join(ROOT, 'labs/mtdc/fabric.yml')));
    const text = bridgesScript(model);
    const dir = mkdtempSync(join(tmpdir(), 'fabric-br-'));
    try {
      writeFileSync(join(dir, 'b.sh'), text);
      await run('sh', ['-n', join(dir, 'b.sh')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(text).to.match(/^set -eu$/m);
    for (const opt of [
      'datapath_type=netdev',
      'fail_mode=secure',
      'protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15',
      'other_config:vlan-limit=2',
      'ethtool -K "$p" tx off',
      '--may-exist add-br',
      '--if-exists del-br',
      'tag=100 vlan_mode=access',
      'add-flow mtdc-red-c1-sw priority=0,actions=NORMAL',
    ])
      expect(text, opt).to.contain(opt);
    const topo = renderClab(model);
    const bridges = Object.entries(topo.topology.nodes)
      .filter(([, n]) => n.kind === 'ovs-bridge')
      .map(([k]) => k);
    const list = (v: string) => new RegExp(`^${v}='([^']*)'$`, 'm').exec(text)![1]!.split(' ');
    expect([...list('lab_bridges')].sort()).to.deep.equal([...bridges].sort());
    const ports = (topo.topology.links ?? []).flatMap((l) =>
      l.endpoints.filter((e) => bridges.includes(e.node)).map((e) => e.interface),
    );
    expect([...list('lab_ports')].sort()).to.deep.equal([...ports].sort());
  });

  it("linux nodes name fabric's images: routers for the providers, hosts for the rest", async () => {
    const topo = renderClab(fabricPart(await loadLab(join(ROOT, 'labs/mtdc/fabric.yml'))).model);
    const images = new Map(
      Object.entries(topo.topology.nodes)
        .filter(([, n]) => n.kind === 'linux')
        .map(([k, n]) => [k, n.image]),
    );
    expect(images.get('prov-a')).to.equal('fabric/router:1');
    expect(images.get('red-c1-h1')).to.equal('fabric/host:1');
    expect([...images.values()].every((i) => i === 'fabric/host:1' || i === 'fabric/router:1')).to.equal(true);
  });

  it('--without-hypervisors: the fabric part of labs/failover (golden), no generic_vm, valid', async () => {
    const full = await loadLab(join(ROOT, 'labs/failover/fabric.yml'));
    expect(vmNodes(full).length).to.be.greaterThan(0);
    const { model, dropped } = withoutHypervisors(full);
    expect(dropped).to.include.members(['hvc', 'c1', 'c1-p1', 'c1-gw']);
    expect(vmNodes(model)).to.deep.equal([]);
    expect(validateClab(renderClab(model))).to.deep.equal([]);
    const nodes = new Set(model.nodes.map((n) => n.name));
    for (const l of model.links) for (const e of l.endpoints) expect(nodes.has(e.node), l.id).to.equal(true);
    golden(
      join(GOLDEN, 'failover-without-hypervisors.clab.yml'),
      generateClab(model, 'fabric.yml', 'without hypervisors'),
    );
    golden(join(GOLDEN, 'failover-without-hypervisors.bridges.sh'), bridgesScript(model, 'fabric.yml'));
    expect(withoutHypervisors(await loadLab(join(ROOT, 'labs/ring4/fabric.yml'))).dropped).to.deep.equal([]);
  });

  it('the fabric part of labs/mtdc leaves out the sites its hypervisors host, so it has a tag plan', async () => {
    const full = await loadLab(join(ROOT, 'labs/mtdc/fabric.yml'));
    expect(() => computePlan(withoutHostedOnly(full))).to.throw(/tag plan: 2 problems/);
    const { model } = fabricPart(full);
    expect(model.intent.hypervisors).to.equal(undefined);
    expect(model.intent.tenants.blue!.sites.map((s) => s.name)).to.not.include.members(['k2', 'k3']);
    expect(model.intent.tenants.red!.sites.map((s) => s.name)).to.include.members(['k2', 'k3']);
    expect(computePlan(model).sites.length).to.be.greaterThan(0);
  });

  it('fabric generate refuses a hypervisor lab with a located E_CLAB_HYPERVISORS and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-gen-hv-'));
    try {
      const out = join(dir, 'f.clab.yml');
      let err: unknown;
      try {
        await program().parseAsync([
          'node',
          'fabric',
          'generate',
          join(ROOT, 'labs/failover/fabric.yml'),
          '--out',
          out,
        ]);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(DiagnosticsError);
      const d = (err as DiagnosticsError).diagnostics[0]!;
      expect(d.code).to.equal('E_CLAB_HYPERVISORS');
      expect(d.line).to.be.greaterThan(1);
      expect(d.hint).to.contain('--without-hypervisors');
      expect(existsSync(out)).to.equal(false);
      golden(join(GOLDEN, 'hypervisor-lab.err'), (err as DiagnosticsError).format().split(ROOT).join('') + '\n');
      await program().parseAsync([
        'node',
        'fabric',
        'generate',
        join(ROOT, 'labs/failover/fabric.yml'),
        '--out',
        out,
        '--without-hypervisors',
      ]);
      const text = readFileSync(out, 'utf8');
      expect(text).to.match(/^# without hypervisors: 11 nodes left out \(hvc, /m);
      expect(
        Object.values(parse(text).topology.nodes as Record<string, { kind: string }>).some(
          (n) => n.kind === 'generic_vm',
        ),
      ).to.equal(false);
      expect(readFileSync(join(dir, 'failover.bridges.sh'), 'utf8')).to.contain('lab=failover');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--runtime containerlab refuses a hypervisor lab before anything (even without containerlab)', async () => {
    const full = await loadLab(join(ROOT, 'labs/failover/fabric.yml'));
    expect(() => refuseHypervisors(full)).to.throw(/generic_vm/);
    const rt = new ContainerlabRuntime({
      ensureEngine: async () => {
        throw new Error('engine must not be touched');
      },
    });
    let err: unknown;
    try {
      await rt.deploy(full);
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_CLAB_HYPERVISORS' });
    expect((err as { hint?: string }).hint).to.contain('--without-hypervisors');
    golden(join(GOLDEN, 'runtime-hypervisor-lab.err'), (err as FabricError).format().split(ROOT).join('') + '\n');
  });
});
