// `make fuzz`: the capture + decoder fuzz target at scale (default 1,000,000 cases), outside
// `make test`. FUZZ_CASES and FUZZ_SEED override; the seed is printed so a failure can be replayed.
import { fuzzCaptures } from './capture-fuzz.js';

const cases = Number(process.env.FUZZ_CASES ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const slice = 50_000;
const started = process.hrtime.bigint();
let total = { cases: 0, records: 0, refused: 0, warnings: 0 };
for (let done = 0; done < cases; done += slice) {
  const s = fuzzCaptures(seed + done, Math.min(slice, cases - done));
  total = {
    cases: total.cases + s.cases,
    records: total.records + s.records,
    refused: total.refused + s.refused,
    warnings: total.warnings + s.warnings,
  };
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `fuzz: ${total.cases} cases, ${total.records} records, ${total.refused} files refused, ${total.warnings} warnings (${secs.toFixed(1)} s, seed ${seed})`,
  );
}
console.log(`fuzz: passed ${total.cases} cases (seed ${seed})`);
