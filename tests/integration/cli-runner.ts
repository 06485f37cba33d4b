// Runs the CLI from source (no build needed): `node --import tsx tests/integration/cli-runner.ts up ...`.
import { main } from '../../src/cli/main.js';

await main(process.argv);
