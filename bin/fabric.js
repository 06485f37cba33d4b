#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (or `make build`); a packed
// package carries dist/ (prepack builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A closed pipe (`fabric flows x | head`) is a normal end, not a crash.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(
    `error: fabric is not built: ${fileURLToPath(main)} is missing\n` +
      `  hint: build it once: cd ${root} && npm run build   (or: make build)\n`,
  );
  process.exit(2);
}
import(main.href)
  .then((m) => m.main(process.argv))
  .catch((err) => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
  });
