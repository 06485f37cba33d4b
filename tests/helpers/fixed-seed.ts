// Every fast-check property in the unit suites runs from one fixed seed, so `make test` is
// repeatable: a property that fails in CI fails the same way here. FABRIC_TEST_SEED explores
// other seeds by hand; a failure prints the seed and path to replay it.
import fc from 'fast-check';

const seed = Number(process.env.FABRIC_TEST_SEED ?? 20261204);
fc.configureGlobal({ seed: Number.isInteger(seed) ? seed : 20261204 });
