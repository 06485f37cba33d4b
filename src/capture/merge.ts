// Merged pcapng of a run: one interface per capture file (if_name `<node>:<ifname>`), frames in
// timestamp order (k-way merge; each tcpdump file is already in arrival order).
import { openCapture, createPcapngWriter } from '../pcap/index.js';
import type { CaptureFrame } from '../pcap/index.js';

export interface MergeInput {
  path: string;
  /** Interface name written into the pcapng IDB. */
  name: string;
  description?: string;
}

export async function mergeCaptures(inputs: MergeInput[], outPath: string): Promise<number> {
  const writer = createPcapngWriter(outPath, {
    interfaces: inputs.map((i) => ({
      name: i.name,
      description: i.description,
      linktype: 1,
      snaplen: 262144,
      precision: 'us' as const,
    })),
    sectionComment: 'fabric capture run (merged)',
  });
  const its = await Promise.all(inputs.map(async (i) => (await openCapture(i.path))[Symbol.asyncIterator]()));
  const heads: (CaptureFrame | null)[] = await Promise.all(
    its.map(async (it) => {
      const r = await it.next();
      return r.done ? null : r.value;
    }),
  );
  let n = 0;
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || h.ts < heads[best]!.ts)) best = i;
    }
    if (best < 0) break;
    const f = heads[best]!;
    if (!writer.write({ data: f.data, ts: f.ts, len: f.len, ifIndex: best })) await writer.drain();
    n++;
    const r = await its[best]!.next();
    heads[best] = r.done ? null : r.value;
  }
  await writer.close();
  return n;
}
