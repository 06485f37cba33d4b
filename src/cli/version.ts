// `fabric version` and `fabric --version`: the package version, from the package.json this build
// belongs to (an installed package or a clone), and the Node.js running it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from './lab-arg.js';

/** The version in the package.json of this build. */
export function packageVersion(root = PACKAGE_ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export function register(program: Command): void {
  program
    .command('version')
    .description('print the fabric version (also: fabric --version)')
    .option('--json', 'as JSON: {"fabric": ..., "node": ...}')
    .action((opts: { json?: boolean }) => {
      const v = { fabric: packageVersion(), node: process.versions.node };
      process.stdout.write(opts.json ? JSON.stringify(v) + '\n' : `fabric ${v.fabric} (node ${v.node})\n`);
    });
}
