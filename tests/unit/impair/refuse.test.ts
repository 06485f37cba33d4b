// `fabric up` refuses a declared impairment this machine cannot serve before anything is deployed
// (no host command runs), naming every refused parameter of every link at once (golden).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { refuseUnservable } from '../../../src/impair/index.js';
import { loadLab } from '../../../src/topology/index.js';
import { golden } from '../../helpers/golden.js';

const YML = `name: refuse
datacenters:
  dc1: {}
  dc2: {}
  dc3: {}
interconnects:
  - between: [dc1, dc2]
    impair: { delay: 20ms, reorder: 60%, rate: 10mbit }
  - between: [dc2, dc3]
    impair: { loss: 1%, rate: 1gbit }
tenants:
  red:
    sites:
      - { name: c1, type: client, dc: dc1, systems: [ { name: h1, vlan: 100, ip: 10.20.30.10/24 } ] }
      - { name: k1, type: cloud, dc: dc2, systems: [ { name: v1, vlan: 100, ip: 10.20.30.50/24 } ] }
`;

describe('impair: refused before fabric up deploys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'impair-refuse-'));
  const file = join(dir, 'fabric.yml');
  writeFileSync(file, YML);
  let fake: FakeHostNet;
  let restore: () => void;
  beforeEach(() => {
    fake = new FakeHostNet();
    restore = useHostNet(fake);
  });
  afterEach(() => restore());
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function refusal(): Promise<FabricError | null> {
    try {
      await refuseUnservable(await loadLab(file));
      return null;
    } catch (e) {
      if (e instanceof FabricError) return e;
      throw e;
    }
  }

  it('every link and parameter nothing can serve, in one golden error, before any host command', async () => {
    fake.caps = { ...fake.caps, tbf: false };
    const e = await refusal();
    expect(e?.code).to.equal('E_IMPAIR_UNSUPPORTED');
    golden('tests/golden/impair/up-refused.err', e!.format() + '\n');
    expect(fake.calls.map((c) => c.op)).to.deep.equal([]);
  });

  it('accepts what the machine serves (netem serves a reorder the relay cannot)', async () => {
    fake.caps = { ...fake.caps, netem: true };
    expect(await refusal()).to.equal(null);
  });
});
