// Load-time checks against the machine a lab is about to run on: the memory of its QEMU guests
// (virtual hypervisors and inactive pools) against what the machine has available. The machine
// figure is injected, so the verdicts never depend on the machine running the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { memAvailableOf } from '../../../src/hostnet/kernel.js';
import { loadLabText } from '../../../src/topology/index.js';
import { declaredGuests } from '../../../src/topology/validate/memory.js';
import { estimateGuestMemory, QEMU_OVERHEAD_MIB } from '../../../src/vm/index.js';
import { golden } from '../../helpers/golden.js';
import { runtimeImpairs } from '../../../src/runtime/registry.js';

const DIR = new URL('../../golden/topology/machine/', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;
const machine = (mib: number) => ({ machine: { availableMiB: () => mib } });

function loadError(text: string, file: string, mib: number): DiagnosticsError {
  try {
    loadLabText(text, file, file, machine(mib));
  } catch (e) {
    if (e instanceof DiagnosticsError) return e;
    throw e;
  }
  throw new Error('the lab loaded');
}

describe('topology: the lab against the runtime it is about to be deployed on', () => {
  it('refuses impair blocks on a runtime that cannot impair links, located, with the other load problems', () => {
    const file = 'impair-docker.yml';
    const text = readFileSync(join(DIR, file), 'utf8');
    const on = (name: string) => ({
      machine: { availableMiB: () => 1 << 20, runtime: { name, impairs: runtimeImpairs(name) } },
    });
    let err: DiagnosticsError | undefined;
    try {
      loadLabText(text, file, file, on('docker'));
    } catch (e) {
      if (!(e instanceof DiagnosticsError)) throw e;
      err = e;
    }
    const d = err?.diagnostics.find((x) => x.code === 'E_IMPAIR_RUNTIME');
    expect(d?.line, 'located at the impair block').to.be.a('number');
    expect(d!.message).to.contain('docker runtime cannot impair links');
    expect(err!.diagnostics.map((x) => x.code)).to.include('E_UNKNOWN_DC');
    golden(join(DIR, 'impair-docker.err'), err!.format() + '\n');
    // On netns only the other problem is left.
    const fixed = text.replace('dc: dc9', 'dc: dc2');
    expect(() => loadLabText(fixed, file, file, on('netns'))).to.not.throw();
    expect(() => loadLabText(fixed, file, file, on('docker'))).to.throw(DiagnosticsError, /validate: 1 problem found/);
  });
});

describe('topology: the lab against the machine (guest memory)', () => {
  it('estimates each guest as its RAM plus QEMU, and one migration target more', () => {
    const e = estimateGuestMemory(5);
    expect(e.perGuestMiB).to.equal(96 + QEMU_OVERHEAD_MIB);
    expect(e.totalMiB).to.equal(6 * e.perGuestMiB);
    expect(estimateGuestMemory(0).totalMiB).to.equal(0);
  });

  it('counts a guest per fully virtualized customer hypervisor and per pool member', () => {
    expect(
      declaredGuests([
        { name: 'a', type: 'customer', hosts: ['r/s'] },
        { name: 'b', type: 'customer', virtualization: 'partial', hosts: ['r/t'] },
        { name: 'c', type: 'ha', pool: 3 },
        { name: 'd', pool: 2 },
        { name: 'e', type: 'ha' },
        'junk',
      ]),
    ).to.deep.equal({ total: 6, pools: ['c: pool 3', 'd: pool 2'] });
  });

  it('refuses a pool that does not fit, located, with the estimate and the other load problems', () => {
    const file = 'pool-memory.yml';
    const err = loadError(readFileSync(join(DIR, file), 'utf8'), file, 700);
    const mem = err.diagnostics.find((d) => d.code === 'E_HV_MEMORY')!;
    expect(mem.line).to.be.a('number');
    expect(mem.message)
      .to.contain(`= ${estimateGuestMemory(9).totalMiB} MiB`)
      .and.contain('700 MiB are available');
    expect(err.diagnostics.map((d) => d.code)).to.include('E_UNKNOWN_DC');
    golden(join(DIR, 'pool-memory.err'), err.format() + '\n');
  });

  it('loads the failover lab when its guests fit, and never checks without a machine', () => {
    const text = readFileSync(join(ROOT, 'labs/failover/fabric.yml'), 'utf8');
    const need = estimateGuestMemory(5).totalMiB;
    expect(loadLabText(text, 'f.yml', 'f.yml', machine(need)).name).to.equal('failover');
    expect(loadError(text, 'f.yml', need - 1).diagnostics.map((d) => d.code)).to.deep.equal(['E_HV_MEMORY']);
    expect(loadLabText(text, 'f.yml').name).to.equal('failover');
  });

  it('reads MemAvailable from /proc/meminfo in MiB (MemFree without it)', () => {
    expect(
      memAvailableOf('MemTotal:       24683868 kB\nMemFree:        20865200 kB\nMemAvailable:   22095000 kB\n'),
    ).to.equal(21577);
    expect(memAvailableOf('MemTotal: 2048000 kB\nMemFree:  1024000 kB\n')).to.equal(1000);
  });
});
