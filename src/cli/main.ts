// Entry point: builds the commander program from one module per verb (thin verbs; the work
// lives in the concept folders).
import { Command } from 'commander';
import { isFabricError } from '../errors/fabric-error.js';
import { examplesText } from './examples.js';
import { packageVersion } from './version.js';
import { verbs } from './verbs.js';

const ROOT_HELP = `
Labs are named (mtdc), or given as a folder (labs/mtdc) or a file (labs/mtdc/fabric.yml), as the
operand or with -t/--topo. Quick start: fabric up mtdc; fabric test mtdc; fabric down mtdc.
Environment variables (FABRIC_STATE_DIR, FABRIC_CAPTURE_DIR, FABRIC_VM_ACCEL, ...): docs/environment.md
Error codes: docs/errors.md
`;

/** The whole command tree, without parsing (tests read its help). */
export function buildProgram(): Command {
  const program = new Command('fabric')
    .description('Multi-tenant L2 fabric testbed: deploy labs, program tags, capture and prove isolation')
    .version(packageVersion(), '-V, --version', 'print the fabric version')
    .showHelpAfterError()
    // Lets `failover` keep its flag form beside subcommands with the same option names.
    .enablePositionalOptions()
    .addHelpText('after', ROOT_HELP);
  for (const register of verbs) register(program);
  for (const cmd of program.commands) cmd.addHelpText('after', examplesText(cmd.name()));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (isFabricError(err)) {
      process.stderr.write(err.format() + '\n');
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
