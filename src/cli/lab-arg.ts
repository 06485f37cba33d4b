// Shared by up/down/status: a lab argument is a lab file (`labs/mtdc/fabric.yml`), a lab folder
// (`labs/mtdc`) or a lab name (`mtdc`, resolved to labs/<name>/fabric.yml when it exists).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The fabric.yml a lab argument points at, or null when it is only a name. */
export function labFileOf(arg: string): string | null {
  if (existsSync(arg) && statSync(arg).isFile()) return arg;
  if (existsSync(arg) && statSync(arg).isDirectory() && existsSync(join(arg, 'fabric.yml')))
    return join(arg, 'fabric.yml');
  const byName = join('labs', arg, 'fabric.yml');
  if (/^[a-z][a-z0-9-]*$/.test(arg) && existsSync(byName)) return byName;
  return null;
}
