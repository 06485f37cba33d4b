#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `make build`.
// A closed pipe (`fabric flows x | head`) is a normal end, not a crash.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(0);
  throw err;
});
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
  });
