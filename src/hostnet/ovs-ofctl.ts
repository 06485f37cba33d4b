// ovs-ofctl and ovs-appctl: OpenFlow state of a bridge (flows, groups, meters, bundles). Texts
// that ovs-ofctl reads from a file go through a private temporary directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tryRun, type RunResult } from './exec.js';
import { xargsRun } from './fan-out.js';
import { guardOvsName } from './guard.js';
import type { OfOptions, OvsOps } from './host-net.js';

const of = (o: OfOptions = {}): string[] => (o.version ? ['-O', o.version] : []);

async function ofctl(args: readonly string[], tolerate = false, okCodes?: number[]): Promise<RunResult> {
  return tolerate ? tryRun('ovs-ofctl', args) : run('ovs-ofctl', args, okCodes ? { okCodes } : {});
}

/** Writes `text` to a temporary file, runs fn with its path, removes it. */
async function withFile<T>(name: string, text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'fabric-of-'));
  try {
    const file = join(dir, name);
    await writeFile(file, text);
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Dump lines without the OFPST_/NXST_/OFPT_ reply headers, trimmed. */
export function dumpLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(OFPST|NXST|OFPT)_/.test(l));
}

type OfctlOps = Pick<
  OvsOps,
  | 'dumpFlows'
  | 'dumpGroups'
  | 'dumpMeters'
  | 'setMeter'
  | 'delMeters'
  | 'addFlows'
  | 'addGroups'
  | 'replaceFlows'
  | 'bundle'
  | 'diffFlows'
  | 'diffFlowTexts'
  | 'addFlowEach'
  | 'appctl'
>;

export const realOfctl: OfctlOps = {
  async dumpFlows(bridge, o = {}) {
    const args = [...of(o), 'dump-flows', ...(o.noNames ? ['--no-names'] : []), ...(o.stats ? [] : ['--no-stats'])];
    const r = await ofctl([...args, guardOvsName(bridge)], o.tolerate);
    return r.exitCode === 0 ? dumpLines(r.stdout) : null;
  },
  async dumpGroups(bridge, o = {}) {
    const r = await ofctl([...of(o), 'dump-groups', guardOvsName(bridge)], o.tolerate);
    return r.exitCode === 0 ? dumpLines(r.stdout) : null;
  },
  async dumpMeters(bridge, o = {}) {
    const r = await ofctl([...of(o), 'dump-meters', guardOvsName(bridge)], o.tolerate);
    return r.exitCode === 0 ? r.stdout : null;
  },
  async delMeters(bridge, o = {}) {
    await ofctl([...of(o), 'del-meters', guardOvsName(bridge)], o.tolerate);
  },
  async setMeter(bridge, meter, o = {}) {
    await ofctl([...of(o), o.modify ? 'mod-meter' : 'add-meter', guardOvsName(bridge), meter], o.tolerate);
  },
  async addFlows(bridge, flows, o = {}) {
    await withFile('flows', flows.join('\n') + '\n', (f) =>
      ofctl([...of(o), 'add-flows', guardOvsName(bridge), f], o.tolerate),
    );
  },
  async addGroups(bridge, groups, o = {}) {
    await withFile('groups', groups.join('\n') + '\n', (f) =>
      ofctl([...of(o), 'add-groups', guardOvsName(bridge), f], o.tolerate),
    );
  },
  async replaceFlows(bridge, flows, o = {}) {
    await run('ovs-ofctl', [...of(o), 'replace-flows', guardOvsName(bridge), '-'], { input: flows.join('\n') + '\n' });
  },
  async bundle(bridge, lines, o = {}) {
    // From stdin ('-'): a re-tag's bundle is on the failover's restoration path, where a
    // temporary directory, a file write and its removal cost as much as the commit itself.
    await run('ovs-ofctl', [...of(o), 'bundle', guardOvsName(bridge), '-'], { input: lines });
  },
  async diffFlows(bridge, flows, o = {}) {
    // diff-flows exits 2 when the two sources differ.
    const r = await withFile('flows', flows, (f) =>
      ofctl([...of(o), 'diff-flows', guardOvsName(bridge), f], false, [0, 2]),
    );
    return r.stdout.split('\n').filter((l) => l.trim());
  },
  async diffFlowTexts(a, b, o = {}) {
    // Both sources are files (ovs-ofctl reads a source that exists as a file from the file).
    const r = await withFile('a.flows', a, (fa) =>
      withFile('b.flows', b, (fb) => ofctl([...of(o), 'diff-flows', fa, fb], false, [0, 2])),
    );
    return r.stdout.split('\n').filter((l) => l.trim());
  },
  async addFlowEach(items) {
    await xargsRun(
      ['ovs-ofctl'],
      items.map((i) => `add-flow ${guardOvsName(i.bridge)} ${i.flow}`),
    );
  },
  async appctl(args, o = {}) {
    const r = o.tolerate ? await tryRun('ovs-appctl', args) : await run('ovs-appctl', args);
    return r.stdout;
  },
};
