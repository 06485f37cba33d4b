import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXAMPLES } from '../../../src/cli/examples.js';
import { buildProgram } from '../../../src/cli/main.js';
import { labNameOf } from '../../../src/cli/lab-arg.js';
import { packageVersion } from '../../../src/cli/version.js';

/** Runs the program in-process; what it wrote to stdout and stderr, and commander's exit code. */
async function cli(args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const program = buildProgram();
  let out = '';
  let err = '';
  const wire = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    c.commands.forEach(wire);
  };
  wire(program);
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'fabric', ...args]);
    return { out, err, code: null };
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code !== 'number') throw e;
    return { out, err, code };
  } finally {
    process.stdout.write = write;
  }
}

describe('CLI habits: version, examples, failover subcommands, status by file', () => {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;

  it('--version and -V print the package version and exit 0; `fabric version` says fabric and node', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).to.equal(0);
      expect(r.out.trim()).to.equal(version);
      expect(r.err).to.equal('');
    }
    expect((await cli(['version'])).out).to.equal(`fabric ${version} (node ${process.versions.node})\n`);
    expect(JSON.parse((await cli(['version', '--json'])).out)).to.deep.equal({
      fabric: version,
      node: process.versions.node,
    });
    expect(packageVersion()).to.equal(version);
  });

  it('every verb has examples, shown at the end of its --help, each starting with `fabric <verb>`', async () => {
    const verbs = buildProgram().commands.map((c) => c.name());
    expect(
      verbs.filter((v) => !EXAMPLES.has(v)),
      'verbs without examples',
    ).to.deep.equal([]);
    for (const v of verbs) {
      const r = await cli([v, '--help']);
      expect(r.code, v).to.equal(0);
      expect(r.out, v).to.contain('\nExamples:\n');
      const mine = EXAMPLES.get(v)!.filter((x) => x.startsWith(`fabric ${v}`));
      expect(mine.length, `${v}: an example of the verb itself`).to.be.greaterThan(0);
    }
  });

  it('the top-level help names the environment document and the error catalogue', async () => {
    const r = await cli(['--help']);
    expect(r.out).to.contain('docs/environment.md').and.contain('docs/errors.md');
  });

  it('failover has setup, trigger, failback, status and teardown subcommands, and keeps the flags', () => {
    const f = buildProgram().commands.find((c) => c.name() === 'failover')!;
    expect(f.commands.map((c) => c.name())).to.deep.equal(['setup', 'trigger', 'failback', 'status', 'teardown']);
    const flags = f.options.map((o) => o.long);
    for (const x of ['--setup', '--trigger', '--host', '--failback', '--status', '--teardown', '--probe', '--json'])
      expect(flags, x).to.include(x);
    const trigger = f.commands.find((c) => c.name() === 'trigger')!;
    expect(trigger.options.map((o) => o.long)).to.include.members(['--kind', '--host', '--probe', '--json', '--topo']);
  });

  it('failover subcommand and flag form reach the same action (both look the lab up)', async () => {
    const prev = process.env.FABRIC_STATE_DIR;
    process.env.FABRIC_STATE_DIR = '/nonexistent-fabric-state';
    try {
      for (const args of [
        ['failover', 'status', 'failover', '--json'],
        ['failover', 'failover', '--status'],
        ['failover', 'trigger', '-t', 'failover', '--kind', 'nonsense', '--host', 'hvc'],
      ]) {
        const err = await cli(args).then(
          () => null,
          (e: { code?: string; message?: string }) => e,
        );
        expect(err?.code, args.join(' ')).to.be.oneOf(['E_LAB_NOT_FOUND', 'E_FAILOVER_TRIGGER', 'E_FAILOVER_STATE']);
      }
      const usage = await cli(['failover', 'failover']).then(
        () => null,
        (e: { code?: string }) => e,
      );
      expect(usage?.code).to.equal('E_FAILOVER_USAGE');
    } finally {
      if (prev === undefined) delete process.env.FABRIC_STATE_DIR;
      else process.env.FABRIC_STATE_DIR = prev;
    }
  });

  it('status takes a lab file, a folder or a name (the same lab name)', async () => {
    expect(await labNameOf('labs/mtdc/fabric.yml')).to.equal('mtdc');
    expect(await labNameOf('labs/mtdc')).to.equal('mtdc');
    expect(await labNameOf('mtdc')).to.equal('mtdc');
    const prev = process.env.FABRIC_STATE_DIR;
    process.env.FABRIC_STATE_DIR = '/nonexistent-fabric-state';
    try {
      const e = await cli(['status', 'labs/mtdc/fabric.yml']).then(
        () => null,
        (x: { code?: string; message?: string }) => x,
      );
      expect(e?.code).to.equal('E_LAB_NOT_FOUND');
      expect(e?.message).to.contain('lab mtdc is not deployed');
    } finally {
      if (prev === undefined) delete process.env.FABRIC_STATE_DIR;
      else process.env.FABRIC_STATE_DIR = prev;
    }
  });
});
