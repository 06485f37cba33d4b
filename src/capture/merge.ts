// Merged pcapng of a run: one interface per capture file (if_name: the fabric port, `dc1-sw:p2`),
// frames in timestamp order (k-way merge; each tcpdump file is already in arrival order). Each
// interface block carries the linktype and snaplen of its own capture file, as tcpdump wrote them;
// the section comment records the run (see sectionCommentOf).
import { openCapture, createPcapngWriter } from '../pcap/index.js';
import type { CaptureFrame } from '../pcap/index.js';

export interface MergeInput {
  path: string;
  /** Interface name written into the pcapng IDB. */
  name: string;
  description?: string;
}

export interface MergeOptions {
  /** The section header's comment (default: "fabric capture run (merged)"). */
  sectionComment?: string;
}

/** What a merged pcapng says about its run: lab, run id, plan hash and tshark's decode-as items. */
export function sectionCommentOf(run: {
  lab: string;
  runId: string;
  planHash: string | null;
  decodeAs?: readonly string[];
}): string {
  return [
    'fabric capture run (merged)',
    `lab: ${run.lab}`,
    `run: ${run.runId}`,
    `plan: ${run.planHash ?? '-'}`,
    `decode-as: ${run.decodeAs?.length ? run.decodeAs.map((d) => `-d ${d}`).join(' ') : '-'}`,
  ].join('\n');
}

export async function mergeCaptures(inputs: MergeInput[], outPath: string, o: MergeOptions = {}): Promise<number> {
  const caps = await Promise.all(inputs.map((i) => openCapture(i.path)));
  const its = caps.map((c) => c[Symbol.asyncIterator]());
  // The first read parses each file's header: its linktype and snaplen are known from then on.
  const heads: (CaptureFrame | null)[] = await Promise.all(
    its.map(async (it) => {
      const r = await it.next();
      return r.done ? null : r.value;
    }),
  );
  const writer = createPcapngWriter(outPath, {
    interfaces: [],
    sectionComment: o.sectionComment ?? 'fabric capture run (merged)',
  });
  inputs.forEach((i, k) => {
    const info = caps[k]!.info;
    writer.addInterface({
      name: i.name,
      description: i.description,
      linktype: info?.linktype ?? 1,
      snaplen: info?.snaplen ?? 262144,
      precision: 'us',
    });
  });
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
