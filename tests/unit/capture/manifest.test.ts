import { expect } from 'chai';
import { buildManifest, type FileResult } from '../../../src/capture/manifest.js';
import { selectTargets } from '../../../src/capture/select.js';
import type { CaptureState } from '../../../src/capture/state.js';
import type { LinkCheck } from '../../../src/capture/compare.js';
import { parseProcStat } from '../../../src/capture/proc.js';
import { STATUS } from './helpers.js';

function state(): CaptureState {
  const { targets, skipped } = selectTargets(STATUS, { links: ['c1-sw1', 'sw1-pe1'] });
  return {
    stateVersion: 1,
    lab: 'mtdc',
    runId: '20261121T233000Z-abc123',
    runtime: 'netns',
    planHash: 'sha256:abcd',
    phase: 'stopping',
    orchestrator: { pid: 10, startTicks: 5, detached: false },
    startedAt: '2026-11-21T23:30:00.000Z',
    stoppedAt: null,
    selection: { links: ['c1-sw1', 'sw1-pe1'] },
    tcpdump: { snaplen: 262144 },
    merge: true,
    targets,
    skipped,
    capturers: targets.map((t, i) => ({
      id: t.id,
      pid: 100 + i,
      startTicks: 7,
      file: `${t.id}.pcap`,
      stderrFile: `${t.id}.stderr`,
      argv: ['tcpdump'],
      startedAt: 'x',
      listeningAt: '2026-11-21T23:30:01.000Z',
      stopRequestedAt: '2026-11-21T23:30:09.000Z',
      exitedAt: 'y',
      exitCode: 0,
      stopHow: 'sigint' as const,
    })),
    error: null,
  };
}

const ok = (packets: number, dropped = 0): FileResult => ({
  stats: { captured: packets, receivedByFilter: packets + dropped, droppedByKernel: dropped, droppedByInterface: null },
  packets,
  bytes: packets * 100,
  firstTs: 1,
  lastTs: 2,
  readWarnings: [],
});

describe('capture/manifest', () => {
  it('records lab, plan hash, times, link, peer, direction, counts and drops per file', () => {
    const s = state();
    const results = new Map<string, FileResult>([
      ['c1--eth0', ok(10)],
      ['sw1--p1', ok(10, 2)],
      ['sw1--up', ok(4)],
      ['pe1--d1', ok(4)],
    ]);
    const links: LinkCheck[] = [];
    const m = buildManifest(s, results, links, 'merged.pcapng', '2026-11-21T23:30:10.000Z', 262144);
    expect(m).to.deep.include({
      manifestVersion: 1,
      lab: 'mtdc',
      planHash: 'sha256:abcd',
      startedAt: '2026-11-21T23:30:00.000Z',
      stoppedAt: '2026-11-21T23:30:10.000Z',
      merged: 'merged.pcapng',
    });
    const f = m.files.find((x) => x.file === 'sw1--p1.pcap')!;
    expect(f).to.deep.include({
      linkId: 'c1-sw1',
      linkClass: 'client-access',
      node: 'sw1',
      ifname: 'p1',
      port: 'p1',
      netns: null,
      hostIf: 'mtdc-sw1-p1',
      direction: 'both',
      directionFilter: null,
      packets: 10,
      dropped: 2,
      stopHow: 'sigint',
    });
    expect(f.peer).to.deep.equal({
      node: 'c1',
      ifname: 'eth0',
      port: 'eth0',
      netns: 'clab-mtdc-c1',
      hostIf: null,
      file: 'c1--eth0.pcap',
    });
    expect(f.flags).to.deep.equal(['drops']);
    expect(m.totals).to.deep.equal({ files: 4, packets: 28, dropped: 2, flaggedFiles: 1, flaggedLinks: 0 });
  });

  it('flags missing stats, count mismatches, read warnings and one-direction ends', () => {
    const s = state();
    const results = new Map<string, FileResult>([
      ['c1--eth0', { ...ok(10), stats: null }],
      ['sw1--p1', { ...ok(10), packets: 9 }],
      ['sw1--up', { ...ok(4), readWarnings: ['truncated-file: ...'] }],
      ['pe1--d1', ok(4)],
    ]);
    const links: LinkCheck[] = [
      {
        linkId: 'sw1-pe1',
        verdict: 'flagged',
        window: [1, 2],
        matched: 2,
        reason: 'x',
        ends: [
          { id: 'sw1--up', framesInWindow: 2, missingHere: 2, missingExamples: [1], verdict: 'one-direction' },
          { id: 'pe1--d1', framesInWindow: 4, missingHere: 0, missingExamples: [], verdict: 'ok' },
        ],
      },
    ];
    const m = buildManifest(s, results, links, null, 'z', 262144);
    const flags = Object.fromEntries(m.files.map((f) => [f.file, f.flags]));
    expect(flags).to.deep.equal({
      'c1--eth0.pcap': ['stats-missing'],
      'sw1--p1.pcap': ['count-mismatch'],
      'sw1--up.pcap': ['read-warnings', 'one-direction'],
      'pe1--d1.pcap': [],
    });
    expect(m.files[0]!.dropped).to.equal(null);
    expect(m.totals.flaggedLinks).to.equal(1);
  });

  it('records the -Q direction filter when one was used', () => {
    const s = state();
    s.tcpdump.direction = 'in';
    const m = buildManifest(s, new Map(), [], null, 'z', 262144);
    expect(m.files.every((f) => f.direction === 'in' && f.directionFilter === 'in')).to.equal(true);
    expect(m.files.every((f) => f.flags.includes('stats-missing') && f.readWarnings.length === 1)).to.equal(true);
  });

  it('parses /proc/<pid>/stat even when the command name holds spaces and parentheses', () => {
    const text = '4242 (tcp dump) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';
    expect(parseProcStat(text)).to.deep.equal({ state: 'S', ppid: 1, startTicks: 987654 });
    expect(parseProcStat('garbage')).to.equal(null);
  });
});
