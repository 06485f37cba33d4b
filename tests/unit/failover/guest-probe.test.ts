import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  announceScript,
  customerVmsScript,
  gatewayBatch,
  gatewayUndoBatch,
  neighScript,
  parseInspect,
  parseNeigh,
  restoreNeighScript,
  vswitchScript,
} from '../../../src/failover/guest.js';
import { eachFrame, patternOf } from '../../../src/failover/probe.js';
import { takeLock } from '../../../src/failover/store.js';
import { formatTimeline } from '../../../src/failover/timeline.js';

const SYS = { name: 'v1', vlan: 100, ip: '10.20.30.50/24', mac: '02:00:00:00:00:50' };

describe('failover guest scripts, probe parsing, lock', () => {
  it('builds the FIG. 5 path: VTEP on the dot1q transport VLAN, VXLAN per own VLAN in its bridge, namespace with the same IP/MAC', () => {
    const v = vswitchScript([{ vlan: 100, vni: 421988 }], 1554);
    expect(v)
      .to.contain('ip link set eth0 mtu 1554 promisc on')
      .and.contain('ip link add link eth0 name eth0.4000 type vlan id 4000')
      .and.contain('ip addr replace 172.31.255.2/24 dev eth0.4000');
    expect(v)
      .to.contain(
        'ip link add vx100 type vxlan id 421988 local 172.31.255.2 remote 172.31.255.1 dstport 4789 dev eth0.4000',
      )
      .and.contain('ip link set vx100 master br100');
    expect(v).to.not.contain('eth0.100');
    // The bridge device: VTEP on eth1, the own VLAN's access interface (eth2) in the same bridge as the VXLAN.
    const g = gatewayBatch([{ vlan: 100, vni: 421988 }]);
    expect(g.slice(0, 2)).to.deep.equal([
      'link set dev eth1 address 02:fe:00:00:0f:a0',
      'addr add 172.31.255.1/24 dev eth1',
    ]);
    expect(g)
      .to.include('addr add 172.31.255.1/24 dev eth1')
      .and.include('link add vx100 type vxlan id 421988 local 172.31.255.1 remote 172.31.255.2 dstport 4789 dev eth1')
      .and.include('link set eth2 master br100');
    expect(gatewayUndoBatch([{ vlan: 100, vni: 421988 }])).to.deep.equal([
      'link del br100',
      'link del vx100',
      'addr del 172.31.255.1/24 dev eth1',
    ]);
    expect(announceScript([SYS])).to.contain('ip netns exec v1 arping -U -c 2 -w 2 -I eth1 -s 10.20.30.50 10.20.30.50');
    const a = customerVmsScript([SYS]);
    expect(a)
      .to.contain('ip -n v1 link set eth1 address 02:00:00:00:00:50')
      .and.contain('addr add 10.20.30.50/24')
      .and.contain('ip link set cv1 master br100');
  });

  it('refuses values that could break the guest shell line', () => {
    expect(() => customerVmsScript([{ ...SYS, name: 'v1;reboot' }])).to.throw(/refused/);
    expect(() => customerVmsScript([{ ...SYS, mac: '02:00:00:00:00:5$' }])).to.throw(/refused/);
    expect(() => vswitchScript([{ vlan: 4095, vni: 1 }], 1554)).to.throw(/bad VLAN/);
    expect(() => vswitchScript([{ vlan: 100, vni: 1 << 24 }], 1554)).to.throw(/bad VNI/);
    expect(() => vswitchScript([{ vlan: 100, vni: 5 }], 99999)).to.throw(/bad MTU/);
    expect(() => announceScript([{ ...SYS, ip: '10.0.0.1/24;x' }])).to.throw(/refused/);
  });

  it('carries neighbour entries: reads them per customer VM, drops junk, installs them STALE, refuses injection', () => {
    expect(neighScript([SYS])).to.contain('ip -n v1 -4 neigh show dev eth1');
    expect(
      parseNeigh('v1 10.20.30.10 02:00:00:00:00:10\nv1 10.20.30.11 FAILED\nv9 10.0.0.1 02:00:00:00:00:01\n', [SYS]),
    ).to.deep.equal([{ vm: 'v1', ip: '10.20.30.10', mac: '02:00:00:00:00:10' }]);
    expect(restoreNeighScript([SYS], [{ vm: 'v1', ip: '10.20.30.10', mac: '02:00:00:00:00:10' }])).to.equal(
      'ip -n v1 neigh replace 10.20.30.10 lladdr 02:00:00:00:00:10 dev eth1 nud stale',
    );
    expect(restoreNeighScript([SYS], [])).to.equal('true');
    expect(() => restoreNeighScript([SYS], [{ vm: 'v1', ip: '10.0.0.1;reboot', mac: '02:00:00:00:00:10' }])).to.throw(
      /refused/,
    );
  });

  it('parses the guest inspection line', () => {
    expect(parseInspect('v1 02:00:00:00:00:50 10.20.30.50/24 br100\n')).to.deep.equal([
      { name: 'v1', mac: '02:00:00:00:00:50', ip: '10.20.30.50/24', master: 'br100' },
    ]);
    expect(parseInspect('v1 02:00:00:00:00:50 10.20.30.50/24\n')[0]!.master).to.equal(null);
  });

  it('tenant patterns differ and are 8 bytes', () => {
    expect(patternOf('red')).to.equal(Buffer.from('red-----').toString('hex'));
    expect(patternOf('red')).to.not.equal(patternOf('green'));
  });

  it('reads classic pcap records through the pcap reader and drops a truncated last one', async () => {
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    hdr.writeUInt16LE(2, 4);
    hdr.writeUInt16LE(4, 6);
    hdr.writeUInt32LE(65535, 16);
    hdr.writeUInt32LE(1, 20);
    const rec = (data: Buffer, incl = data.length) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(incl, 8);
      h.writeUInt32LE(incl, 12);
      return Buffer.concat([h, data]);
    };
    const f1 = Buffer.from('hello red-----');
    const dir = mkdtempSync(join(tmpdir(), 'fo-pcap-'));
    try {
      const file = join(dir, 'p.pcap');
      writeFileSync(file, Buffer.concat([hdr, rec(f1), rec(Buffer.from('xx'), 50)]));
      const frames: Buffer[] = [];
      expect(await eachFrame(file, (d) => frames.push(Buffer.from(d)))).to.equal(true);
      expect(frames).to.have.length(1);
      expect(frames[0]!.includes(Buffer.from(patternOf('red'), 'hex'))).to.equal(true);
      // No file, or one a capturer left without its header: nothing to read, no error.
      writeFileSync(join(dir, 'empty.pcap'), '');
      expect(await eachFrame(join(dir, 'empty.pcap'), () => frames.push(f1))).to.equal(false);
      expect(await eachFrame(join(dir, 'none.pcap'), () => frames.push(f1))).to.equal(false);
      expect(frames).to.have.length(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second trigger while the lock is held is refused with E_FAILOVER_BUSY; release frees it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fo-lock-'));
    const prev = process.env.FABRIC_FAILOVER_DIR;
    process.env.FABRIC_FAILOVER_DIR = dir;
    try {
      const l = takeLock('lab1', 'failover failure hvc');
      expect(() => takeLock('lab1', 'failover maintenance hvc'))
        .to.throw(/already in progress.*failover failure hvc/)
        .with.property('code', 'E_FAILOVER_BUSY');
      l.release();
      takeLock('lab1', 'again').release();
    } finally {
      if (prev === undefined) delete process.env.FABRIC_FAILOVER_DIR;
      else process.env.FABRIC_FAILOVER_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats a timeline with steps, loss and cross-tenant count', () => {
    const t = formatTimeline({
      action: 'failover',
      trigger: 'failure',
      host: 'hvc',
      site: 'red/vm',
      detectedAt: 0,
      steps: [{ step: 'activate', atMs: 1, ms: 20 }],
      restorationMs: 300,
      activated: 'c1-p1',
      placement: { 'c1-p1': 'c1' },
      migrations: [],
      flowDiff: { removed: 4, added: 4 },
      flows: [
        {
          tenant: 'red',
          from: 'a',
          to: 'b',
          ip: 'x',
          sent: 10,
          received: 8,
          lost: 2,
          firstLost: 3,
          lastLost: 4,
          pps: 1000,
          maxGapMs: 3,
          maxGapStart: 0,
          longestRun: { first: 3, last: 4, frames: 2 },
        },
      ],
      crossTenantFrames: 0,
    });
    expect(t)
      .to.contain('restoration: 300 ms')
      .and.contain('seq 3..4')
      .and.contain('cross-tenant frames: 0')
      .and.contain('longest gap 3 ms at +0 ms');
    const before = formatTimeline({
      action: 'failback',
      trigger: null,
      host: 'hvc',
      site: 'red/vm',
      detectedAt: 0,
      steps: [],
      restorationMs: 1,
      activated: 'hvc-v1',
      placement: {},
      migrations: [],
      flowDiff: { removed: 0, added: 0 },
      flows: [
        {
          tenant: 'red',
          from: 'a',
          to: 'b',
          ip: 'x',
          sent: 10,
          received: 10,
          lost: 0,
          firstLost: null,
          lastLost: null,
          pps: 1000,
          maxGapMs: 35,
          maxGapStart: -17.4,
          longestRun: null,
        },
      ],
      crossTenantFrames: 0,
    });
    expect(before).to.contain('longest gap 35 ms at -17 ms').and.not.contain('+-');
  });
});
