// fabric attach refuses a topology fabric did not generate, or one edited away from its intent,
// with a located error naming the first difference (golden error files), before it touches
// anything on the machine. Plus the pieces of the deploy-from-file stand-in that need no root.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isFabricError } from '../../../src/errors/fabric-error.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { attachLab } from '../../../src/runtime/clabfile/attach.js';
import { firstDifference } from '../../../src/runtime/clabfile/compare.js';
import { fileContainerSpec, shellWords } from '../../../src/runtime/clabfile/containers.js';
import { imageMissingFor } from '../../../src/runtime/clabfile/deploy.js';
import { parseClabText } from '../../../src/runtime/clabfile/parse.js';
import { generateClab, loadLabText } from '../../../src/topology/index.js';
import { golden } from '../../helpers/golden.js';

const GOLDEN = new URL('../../golden/clab/attach/', import.meta.url).pathname;
const INTENT = readFileSync(new URL('../../golden/topology/ok/minimal/fabric.yml', import.meta.url), 'utf8');
const model = loadLabText(INTENT, 'fabric.yml');
const generated = generateClab(model, 'fabric.yml');

const FOREIGN = `name: tiny
topology:
  nodes:
    srl1:
      kind: nokia_srlinux
      image: ghcr.io/nokia/srlinux
    h1:
      kind: linux
      image: alpine:3.20
  links:
    - endpoints: ["srl1:e1-1", "h1:eth1"]
`;

/** Edits a user might make to the generated file, each a plain text change. */
const CASES: [string, (t: string) => string][] = [
  ['foreign', () => FOREIGN],
  [
    'edited-address',
    (t) => t.replace('ip address add 192.0.2.10/24 dev eth1', 'ip address add 192.0.2.99/24 dev eth1'),
  ],
  ['management-network', (t) => t.replace('network-mode: none', 'network-mode: bridge')],
  ['dropped-link', (t) => t.replace(/\n {4}- type: veth[\s\S]*?fabric\.id: [^\n]*/, '')],
  ['renamed-lab', (t) => t.replace(/^name: tiny$/m, 'name: other')],
];

describe('fabric attach: files that do not match their intent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attach-'));
  let restore: () => void;
  let fake: FakeHostNet;
  before(() => {
    process.env.FABRIC_STATE_DIR = dir;
  });
  beforeEach(() => {
    fake = new FakeHostNet();
    restore = useHostNet(fake);
  });
  afterEach(() => restore());

  it('the unedited generated file has no difference from the intent', () => {
    const a = parseClabText(generated, 'tiny.clab.yml').data;
    expect(firstDifference(a, parseClabText(generated, 'x').data)).to.equal(null);
  });

  for (const [name, edit] of CASES) {
    it(`${name} → ${name}.err, before any host command`, async () => {
      const text = edit(generated);
      expect(text, 'the edit applies').to.not.equal(generated);
      let err: unknown;
      try {
        await attachLab(model, {
          clabFile: `${name}.clab.yml`,
          clabText: text,
          expectedText: generated,
          intentLabel: 'labs/tiny/fabric.yml',
        });
      } catch (e) {
        err = e;
      }
      expect(isFabricError(err), String(err)).to.equal(true);
      if (!isFabricError(err)) return;
      expect(err.location).to.match(new RegExp(`^${name}\\.clab\\.yml:\\d+:\\d+$`));
      golden(join(GOLDEN, `${name}.err`), err.format() + '\n');
      expect(fake.calls, 'nothing ran on the host').to.deep.equal([]);
    });
  }
});

describe('fabric clab deploy: from the file alone', () => {
  it('splits exec lines into words as containerlab does, without a shell', () => {
    expect(shellWords('ip link add vx0 type vxlan id 42')).to.deep.equal([
      'ip',
      'link',
      'add',
      'vx0',
      'type',
      'vxlan',
      'id',
      '42',
    ]);
    expect(shellWords(`sh -c 'echo a; echo "b c"'`)).to.deep.equal(['sh', '-c', 'echo a; echo "b c"']);
    expect(shellWords('a "" b')).to.deep.equal(['a', '', 'b']);
  });

  it("builds containerlab's container: its name and labels, network capabilities, no engine network, binds and cmd", () => {
    const spec = fileContainerSpec(
      'tiny',
      {
        name: 'h1',
        kind: 'linux',
        image: 'fabric/endpoint:1',
        exec: [],
        binds: ['/a:/b'],
        labels: { 'fabric.role': 'endpoint' },
        cmd: 'sleep 9',
      },
      '/x/tiny.clab.yml',
    );
    expect(spec.name).to.equal('clab-tiny-h1');
    expect(spec.HostConfig?.NetworkMode).to.equal('none');
    expect(spec.HostConfig?.CapAdd).to.deep.equal(['NET_ADMIN', 'NET_RAW']);
    expect(spec.HostConfig?.Devices, 'tun for an OVS userspace datapath').to.deep.equal([
      { PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' },
    ]);
    expect(spec.HostConfig?.ReadonlyPaths, '/proc/sys writable for the sysctl exec lines').to.deep.equal([]);
    expect(spec.HostConfig?.Binds).to.deep.equal(['/a:/b']);
    expect(spec.Cmd).to.deep.equal(['sleep', '9']);
    expect(spec.Labels).to.include({ containerlab: 'tiny', 'clab-node-name': 'h1', 'fabric.role': 'endpoint' });
  });

  it('a missing fabric image names the build command; another image names docker load', () => {
    expect(imageMissingFor('fabric/endpoint:1.0', ['h1']).hint).to.contain('fabric images build');
    expect(imageMissingFor('alpine:3.20', ['h1']).hint).to.contain('docker load');
  });
});
