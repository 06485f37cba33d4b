// Entry point: builds the commander program from one module per verb (thin verbs; the work
// lives in the concept folders).
import { Command } from 'commander';
import { isFabricError } from '../errors/fabric-error.js';
import { verbs } from './verbs.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('fabric')
    .description('Multi-tenant L2 fabric testbed: deploy labs, program tags, capture and prove isolation')
    .showHelpAfterError();
  for (const register of verbs) register(program);
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
