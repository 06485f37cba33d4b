import { expect } from 'chai';
import { mergeCaptures, sectionCommentOf } from '../../../src/capture/merge.js';
import { encodePcap, openCapture } from '../../../src/pcap/index.js';
import { tempDir } from '../pcap/helpers.js';

const frame = (b: number) => new Uint8Array(60).fill(b);

describe('capture/merge', () => {
  it('names interfaces by fabric port, keeps each file snaplen and records the run in the section comment', async () => {
    const t = tempDir();
    try {
      const a = t.file('sw--p2.pcap', encodePcap([{ data: frame(1), ts: 2 }], { snaplen: 9216 }));
      const b = t.file('h1--eth1.pcap', encodePcap([{ data: frame(2), ts: 1 }], { snaplen: 1500 }));
      const comment = sectionCommentOf({
        lab: 'mtdc',
        runId: '20261204T233000Z-abcdef',
        planHash: 'c7c2b90a',
        decodeAs: ['mpls.label==1001-1003,pwethnocw'],
      });
      const out = t.file('merged.pcapng');
      const n = await mergeCaptures(
        [
          { path: a, name: 'sw:p2', description: 'link sw:p2--h1:eth1' },
          { path: b, name: 'h1:eth1' },
        ],
        out,
        { sectionComment: comment },
      );
      expect(n).to.equal(2);
      const cap = await openCapture(out);
      const seen: [string | undefined, number][] = [];
      for await (const f of cap) seen.push([f.ifName, f.data[0]!]);
      expect(seen).to.deep.equal([
        ['h1:eth1', 2],
        ['sw:p2', 1],
      ]);
      expect(cap.info!.interfaces.map((i) => [i.name, i.snaplen])).to.deep.equal([
        ['sw:p2', 9216],
        ['h1:eth1', 1500],
      ]);
      expect(cap.info!.sectionComment).to.equal(
        [
          'fabric capture run (merged)',
          'lab: mtdc',
          'run: 20261204T233000Z-abcdef',
          'plan: c7c2b90a',
          'decode-as: -d mpls.label==1001-1003,pwethnocw',
        ].join('\n'),
      );
    } finally {
      t.cleanup();
    }
  });

  it('says so when the run has no plan hash or decode hints', () => {
    expect(sectionCommentOf({ lab: 'x', runId: 'r', planHash: null })).to.match(/plan: -\ndecode-as: -$/);
  });
});
