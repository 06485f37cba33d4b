// ovs-ofctl and ovs-appctl: OpenFlow state of a bridge (flows, groups, meters, bundles). Texts
// that ovs-ofctl reads from a file go through a private temporary directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tryRun, type RunResult } from './exec.js';
import { xargsRun } from './fan-out.js';
import { guardOvsName } from './guard.js';
import type { OfOptions, OvsOps } from './host-net.js';
import { appctlArgv, inContainer, isElsewhere, ofctlArgv } from './ovs-sites.js';

const of = (o: OfOptions = {}): string[] => (o.version ? ['-O', o.version] : []);

/** ovs-ofctl on one bridge: `words` gets the bridge's target (its name, or its remote listener). */
async function ofctl(
  bridge: string,
  words: (target: string) => string[],
  tolerate = false,
  okCodes?: number[],
): Promise<RunResult> {
  const a = ofctlArgv(bridge, words);
  return tolerate ? tryRun(a.file, a.args) : run(a.file, a.args, okCodes ? { okCodes } : {});
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
    const r = await ofctl(bridge, (t) => [...args, t], o.tolerate);
    return r.exitCode === 0 ? dumpLines(r.stdout) : null;
  },
  async dumpGroups(bridge, o = {}) {
    const r = await ofctl(bridge, (t) => [...of(o), 'dump-groups', t], o.tolerate);
    return r.exitCode === 0 ? dumpLines(r.stdout) : null;
  },
  async dumpMeters(bridge, o = {}) {
    const r = await ofctl(bridge, (t) => [...of(o), 'dump-meters', t], o.tolerate);
    return r.exitCode === 0 ? r.stdout : null;
  },
  async delMeters(bridge, o = {}) {
    await ofctl(bridge, (t) => [...of(o), 'del-meters', t], o.tolerate);
  },
  async setMeter(bridge, meter, o = {}) {
    await ofctl(bridge, (t) => [...of(o), o.modify ? 'mod-meter' : 'add-meter', t, meter], o.tolerate);
  },
  async addFlows(bridge, flows, o = {}) {
    await withFile('flows', flows.join('\n') + '\n', (f) =>
      ofctl(bridge, (t) => [...of(o), 'add-flows', t, f], o.tolerate),
    );
  },
  async addGroups(bridge, groups, o = {}) {
    await withFile('groups', groups.join('\n') + '\n', (f) =>
      ofctl(bridge, (t) => [...of(o), 'add-groups', t, f], o.tolerate),
    );
  },
  async replaceFlows(bridge, flows, o = {}) {
    const a = ofctlArgv(bridge, (t) => [...of(o), 'replace-flows', t, '-']);
    await run(a.file, a.args, { input: flows.join('\n') + '\n' });
  },
  async bundle(bridge, lines, o = {}) {
    // From stdin ('-'): a re-tag's bundle is on the failover's restoration path, where a
    // temporary directory, a file write and its removal cost as much as the commit itself.
    const a = ofctlArgv(bridge, (t) => [...of(o), 'bundle', t, '-']);
    await run(a.file, a.args, { input: lines });
  },
  async diffFlows(bridge, flows, o = {}) {
    // A flows file of this machine is not in a switch's container: a dump taken there is compared here.
    if (inContainer(bridge)) {
      const live = (await realOfctl.dumpFlows(bridge, { ...o, noNames: true })) ?? [];
      return realOfctl.diffFlowTexts(live.join('\n') + '\n', flows, o);
    }
    // diff-flows exits 2 when the two sources differ.
    const r = await withFile('flows', flows, (f) =>
      ofctl(bridge, (t) => [...of(o), 'diff-flows', t, f], false, [0, 2]),
    );
    return r.stdout.split('\n').filter((l) => l.trim());
  },
  async diffFlowTexts(a, b, o = {}) {
    // Both sources are files (ovs-ofctl reads a source that exists as a file from the file).
    const r = await withFile('a.flows', a, (fa) =>
      withFile('b.flows', b, (fb) => run('ovs-ofctl', [...of(o), 'diff-flows', fa, fb], { okCodes: [0, 2] })),
    );
    return r.stdout.split('\n').filter((l) => l.trim());
  },
  async addFlowEach(items) {
    // Bridges of emulated hosts and other machines are reached one connection at a time over their listeners.
    const remote = items.filter((i) => isElsewhere(i.bridge));
    for (const i of remote) await ofctl(i.bridge, (t) => ['add-flow', t, i.flow]);
    if (remote.length === items.length) return;
    await xargsRun(
      ['ovs-ofctl'],
      items.filter((i) => !isElsewhere(i.bridge)).map((i) => `add-flow ${guardOvsName(i.bridge)} ${i.flow}`),
    );
  },
  async appctl(args, o = {}) {
    const argv = appctlArgv(args, o.bridge);
    const r = o.tolerate ? await tryRun('ovs-appctl', argv) : await run('ovs-appctl', argv);
    return r.stdout;
  },
};
