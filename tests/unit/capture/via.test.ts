// Stitched link ends of a lab split over hosts: the status document says where they are captured
// (`via` their host's underlay, the link's VXLAN frames only); selection, the capturer's argv, the
// run's decode-as items and manifest carry it typed, and the frames' outer VXLAN is counted off.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fileTunnelPorts, tunnelPorts } from '../../../src/capture/manifest.js';
import { selectTargets } from '../../../src/capture/select.js';
import { tunnelDecodeItems } from '../../../src/capture/session.js';
import { parseStatus } from '../../../src/capture/status.js';
import { linkData, linkLayers, outerOf, runDecodeAs, type CapturedFrame } from '../../../src/conformance/frames.js';
import { build, dissect, type LayerSpec } from '../../../src/decode/index.js';
import { tcpdumpArgv } from '../../../src/hostnet/tcpdump.js';
import type { StatusDoc } from '../../../src/runtime/types.js';
import { STATUS } from './helpers.js';

const VIA = { netns: 'fh-mtdc-h1', ifname: 'ul', vxlan: { vni: 10000, dstPort: 14789 } };

function withVia(): StatusDoc {
  const st = structuredClone(STATUS);
  const e = st.links[1]!.endpoints[0]!;
  Object.assign(e, { netns: 'fh-mtdc-h1', hostIf: null, via: VIA });
  return st;
}

describe('capture/via: stitched link ends captured in their tunnel', () => {
  it('selects a stitched end with its capture point, the other ends as before', () => {
    const r = selectTargets(withVia());
    expect(r.targets.map((t) => t.id)).to.deep.equal(['c1--eth0', 'sw1--p1', 'sw1--up', 'pe1--d1', 'pe1--lh']);
    const t = r.targets.find((x) => x.id === 'sw1--up')!;
    expect(t).to.deep.include({ netns: 'fh-mtdc-h1', hostIf: null, via: VIA });
    expect(r.targets.filter((x) => x.via)).to.have.length(1);
    expect(tcpdumpArgv(t, '/r/sw1--up.pcap').args.slice(0, 6)).to.deep.equal([
      'netns',
      'exec',
      'fh-mtdc-h1',
      'tcpdump',
      '-i',
      'ul',
    ]);
    expect(tunnelDecodeItems(r.targets)).to.deep.equal(['udp.port==14789,vxlan']);
    expect(tunnelDecodeItems(r.targets, ['udp.port==14789,vxlan'])).to.deep.equal([]);
    expect(tunnelDecodeItems(selectTargets(STATUS).targets)).to.deep.equal([]);
  });

  it('refuses a capture point whose names would reach a command unsafely', () => {
    const bad = withVia();
    bad.links[1]!.endpoints[0]!.via!.ifname = 'ul;x';
    expect(() => selectTargets(bad)).to.throw(/interface/);
    const bad2 = withVia();
    bad2.links[1]!.endpoints[0]!.via!.netns = '--x';
    expect(() => selectTargets(bad2)).to.throw(/namespace/);
  });

  it('checks via in a status document read from JSON: typed VNI and port, names present', () => {
    expect(parseStatus(JSON.parse(JSON.stringify(withVia()))).links[1]!.endpoints[0]!.via).to.deep.equal(VIA);
    const doc = (via: unknown) => {
      const d = JSON.parse(JSON.stringify(withVia())) as { links: { endpoints: { via?: unknown }[] }[] };
      d.links[1]!.endpoints[0]!.via = via;
      return d;
    };
    for (const v of [
      { ...VIA, vxlan: { vni: 0, dstPort: 14789 } },
      { ...VIA, vxlan: { vni: 16777216, dstPort: 14789 } },
      { ...VIA, vxlan: { vni: '10000', dstPort: 14789 } },
      { ...VIA, vxlan: { vni: 10, dstPort: 70000 } },
    ])
      expect(() => parseStatus(doc(v)), JSON.stringify(v)).to.throw(/vxlan\.vni must be/);
    expect(() => parseStatus(doc({ ifname: 'ul', vxlan: VIA.vxlan }))).to.throw(/netns, ifname and vxlan required/);
    expect(() => parseStatus(doc('ul'))).to.throw(/via: netns, ifname and vxlan required/);
  });

  it('decodes the tunnel port as VXLAN for the run, from the manifest files and beside a capture file', () => {
    const files = [{ via: VIA }, {}, { via: { ...VIA, vxlan: { vni: 7, dstPort: 14789 } } }];
    expect(tunnelPorts(files)).to.deep.equal([14789]);
    expect(runDecodeAs({ files: files as never }, { decodeHints: { 1001: 'pw-eth-nocw' } })).to.deep.equal({
      labels: { 1001: 'pw-eth-nocw' },
      vxlanPorts: [14789],
    });
    expect(runDecodeAs({ files: [] }, { decodeHints: {} }).vxlanPorts).to.equal(undefined);
    const dir = mkdtempSync(join(tmpdir(), 'fabric-via-'));
    try {
      writeFileSync(
        join(dir, 'manifest.json'),
        JSON.stringify({ files: [{ file: 'a--p2.pcap', via: VIA }, { file: 'b--p1.pcap' }] }),
      );
      expect(fileTunnelPorts(join(dir, 'a--p2.pcap'))).to.deep.equal([14789]);
      expect(fileTunnelPorts(join(dir, 'b--p1.pcap'))).to.deep.equal([]);
      expect(fileTunnelPorts(join(tmpdir(), 'nowhere', 'a--p2.pcap'))).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts the tunnel's outer headers off a stitched end's frame, and only its own tunnel's", () => {
    const inner: LayerSpec[] = [
      { name: 'eth', src: '02:00:00:00:00:10', dst: 'ff:ff:ff:ff:ff:ff' },
      { name: 'ipv4', src: '10.20.30.10', dst: '255.255.255.255' },
      { name: 'udp', sport: 1, dport: 2 },
    ];
    const outer = (vni: number): LayerSpec[] => [
      { name: 'eth', src: '02:00:00:00:aa:01', dst: '02:00:00:00:aa:02' },
      { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { name: 'udp', sport: 5555, dport: 14789 },
      { name: 'vxlan', vni },
    ];
    const bare = build(inner, { minSize: 60 });
    const data = build([...outer(10000), ...inner], { minSize: 60 });
    const layers = dissect(data, { decodeAs: { vxlanPorts: [14789] } });
    const o = outerOf({ via: VIA }, layers, data);
    expect(o).to.deep.equal({ layers: 4, bytes: 50 });
    const f = { layers, data, outer: o } as CapturedFrame;
    expect(linkLayers(f).map((l) => l.name)).to.deep.equal(['eth', 'ipv4', 'udp']);
    expect(Buffer.from(linkData(f).subarray(0, 42)).equals(Buffer.from(bare.subarray(0, 42)))).to.equal(true);
    const other = build([...outer(10001), ...inner], { minSize: 60 });
    expect(outerOf({ via: VIA }, dissect(other, { decodeAs: { vxlanPorts: [14789] } }), other).layers).to.equal(0);
    expect(outerOf({}, layers, data).layers).to.equal(0);
  });
});
