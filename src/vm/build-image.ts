// Entry for `make guest`: npx tsx src/vm/build-image.ts (or node dist/vm/build-image.js).
// Prints the image paths as JSON; exit 1 with the error text on failure.
import { isFabricError } from '../errors/fabric-error.js';
import { ensureGuestImage } from './image.js';

const t0 = Date.now();
try {
  const img = await ensureGuestImage({ log: (m) => process.stderr.write(`guest: ${m}\n`) });
  process.stderr.write(`guest: ${img.built ? 'built' : 'cached'} ${img.hash} in ${Date.now() - t0} ms\n`);
  process.stdout.write(
    JSON.stringify({ kernel: img.kernel, initrd: img.initrd, hash: img.hash, release: img.release }) + '\n',
  );
} catch (err) {
  process.stderr.write((isFabricError(err) ? err.format() : String((err as Error)?.stack ?? err)) + '\n');
  process.exitCode = 1;
}
