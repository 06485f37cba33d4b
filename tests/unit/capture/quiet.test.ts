import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import { waitQuiet } from '../../../src/capture/quiet.js';
import { tempDir } from '../pcap/helpers.js';

// No assertion on elapsed time: only on what the wait observed (it returns; growth restarts it).
describe('capture/quiet', () => {
  it('returns once no file grows, and tolerates files that do not exist yet', async () => {
    const t = tempDir();
    try {
      const a = t.file('a.pcap', new Uint8Array(24));
      const waited = await waitQuiet([a, t.file('missing.pcap')], { quietMs: 10, pollMs: 2, maxMs: 60_000 });
      expect(waited).to.be.a('number').and.to.be.below(60_000);
    } finally {
      t.cleanup();
    }
  });

  it('keeps waiting while a file grows, and stops at maxMs on a file that never goes quiet', async () => {
    const t = tempDir();
    try {
      const a = t.file('a.pcap', new Uint8Array(24));
      let grows = 0;
      const timer = setInterval(() => {
        appendFileSync(a, new Uint8Array(16));
        grows++;
      }, 1);
      try {
        await waitQuiet([a], { quietMs: 60_000, pollMs: 5, maxMs: 50 });
      } finally {
        clearInterval(timer);
      }
      expect(grows).to.be.above(0);
    } finally {
      t.cleanup();
    }
  });
});
