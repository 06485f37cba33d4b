// The reference lab's network (tests/fixtures/labs/mtdc-network) and the reference lab itself with
// its five QEMU guests (labs/mtdc), each renamed so a running lab is never touched, on one machine
// and split over two emulated hosts (`fabric up --hosts 2`), side by side in one run: the wall
// time of `fabric up` (deploy, tags, probe; with guests: their boot and staging) and of
// `fabric test` (with guests: the failover of hv3 and its fail-back), each through the CLI, then
// `fabric down`. Needs root and a build (make bench builds first).
//   npx tsx bench/run.ts split-up
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryRun } from '../src/hostnet/exec.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const ROOT = new URL('..', import.meta.url).pathname;
const LAB = 'bsplit';

async function fabric(args: string[], env: Record<string, string>): Promise<number> {
  const t = performance.now();
  const r = await tryRun(process.execPath, [join(ROOT, 'bin/fabric.js'), ...args], { timeout: 900_000, env });
  if (r.exitCode !== 0) throw new Error(`fabric ${args.join(' ')} failed:\n${r.stdout.slice(-2000)}${r.stderr}`);
  return performance.now() - t;
}

export const bench = {
  name: 'split-up',
  description:
    'reference lab (network alone, and with its QEMU guests): fabric up and fabric test on one machine vs split over 2 emulated hosts',
  async run(ctx: { log(line: string): void }): Promise<Figure[]> {
    const work = mkdtempSync(join(tmpdir(), 'fabric-bench-split-'));
    const env: Record<string, string> = {
      FABRIC_STATE_DIR: join(work, 'state'),
      FABRIC_CAPTURE_DIR: join(work, 'captures'),
    };
    const out: Figure[] = [];
    try {
      for (const [lab, path] of [
        ['network', 'tests/fixtures/labs/mtdc-network/fabric.yml'],
        ['with guests', 'labs/mtdc/fabric.yml'],
      ] as const) {
        const file = join(work, 'fabric.yml');
        const text = readFileSync(join(ROOT, path), 'utf8');
        writeFileSync(file, text.replace(/^name: mtdc$/m, `name: ${LAB}`));
        for (const [side, extra] of [
          ['one machine', [] as string[]],
          ['2 emulated hosts', ['--hosts', '2']],
        ] as const) {
          await fabric(['down', LAB], env).catch(() => 0);
          const up = await fabric(['up', file, ...extra], env);
          const test = await fabric(['test', LAB], env);
          await fabric(['down', LAB], env);
          ctx.log(`  ${lab}, ${side}: up ${(up / 1000).toFixed(2)} s, test ${(test / 1000).toFixed(2)} s`);
          const what = `${lab}, ${side}`;
          const upNote = lab === 'network' ? 'deploy, tags, probe' : 'deploy, tags, probe, 5 guests booted and staged';
          out.push({ name: `fabric up, ${what}`, value: Math.round(up) / 1000, unit: 's', note: upNote });
          const testNote = lab === 'network' ? 'green' : 'green, failover and fail-back included';
          out.push({ name: `fabric test, ${what}`, value: Math.round(test) / 1000, unit: 's', note: testNote });
        }
      }
    } finally {
      await fabric(['down', LAB], env).catch(() => 0);
      rmSync(work, { recursive: true, force: true });
    }
    return out;
  },
};
