#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `make build`.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exit(1);
});
