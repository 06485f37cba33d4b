// docs/errors.md is generated from the catalogue so the list a user reads cannot drift from the
// codes the program raises; a unit test compares the file with this text.
import { ERROR_AREAS } from './codes/index.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function renderErrorsDoc(): string {
  const out = [
    '# Error codes',
    '',
    '<!-- Generated from src/errors/codes/ by renderErrorsDoc(); do not edit by hand.',
    '     Rewrite with: UPDATE_GOLDEN=1 npx mocha --config .mocharc.json tests/unit/errors/catalogue.test.ts -->',
    '',
    'Every error fabric raises is a `FabricError` (or a located diagnostic) with one of these codes.',
    'The code is stable, so scripts and tests match on it rather than on the message. The hint below',
    'is the usual remedy; the error itself often carries a more specific one (the values it expected,',
    'the command to run). A stage that collects diagnostics prints each one, then fails once with',
    '`E_INVALID`.',
  ];
  for (const area of ERROR_AREAS) {
    out.push('', `## ${area.title}`, '', '| code | what | hint |', '|---|---|---|');
    for (const [code, info] of Object.entries(area.codes)) {
      out.push(`| \`${code}\` | ${cell(info.summary)} | ${cell(info.hint)} |`);
    }
  }
  return out.join('\n') + '\n';
}
