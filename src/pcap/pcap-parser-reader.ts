// The pcap-parser path (the card's streaming parser), wrapped so its gaps become clean behaviour:
// - it only knows microsecond magics: a nanosecond file's magic is rewritten to the microsecond
//   one before pcap-parser sees it, and its "microseconds" are then read as nanoseconds;
// - it silently drops a truncated last record: we look at what it still holds at 'end';
// - a corrupt caplen makes it buffer the rest of the file: we check every record header as it is
//   announced and stop the stream before it starts accumulating.
// It yields the same frames and warnings as the fast walker (tests/unit/pcap/differential.test.ts).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import { FabricError } from '../errors/fabric-error.js';
import {
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  LINKTYPE_ETHERNET,
  MAX_CAPLEN,
  PCAP_RECORD_HEADER_LEN,
  hex32,
  linktypeName,
} from './format.js';
import type { CaptureFrame, CaptureInfo } from './types.js';
import { WarningSink, checkRecord, truncationMessage } from './warnings.js';
import { formatTs, tsNumber } from './walker.js';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: Readable | string): PcapParserInstance };

interface PcapParserInstance extends EventEmitter {
  buffer: Buffer | null;
  state: { name: string };
  errored?: boolean;
  currentPacketHeader?: { capturedLength: number };
}
interface PpGlobalHeader {
  magicNumber: number;
  snapshotLength: number;
  linkLayerType: number;
}
interface PpPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

/** Back-pressure: pause the source when this many frames wait for the consumer. */
const HIGH_WATER = 4096;

/**
 * Reads a classic pcap from `chunks` (the whole input, first bytes included) through pcap-parser.
 * Yields batches of frames. `setInfo` receives the file header once known.
 */
export async function* readWithPcapParser(
  file: string,
  head: Uint8Array,
  chunks: AsyncIterable<Uint8Array>,
  sink: WarningSink,
  setInfo: (i: CaptureInfo) => void,
): AsyncGenerator<CaptureFrame[]> {
  const le = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, true);
  const be = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, false);
  const nsec = le === PCAP_MAGIC_NSEC || be === PCAP_MAGIC_NSEC;
  const littleEndian = le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC;

  async function* rewritten(): AsyncGenerator<Buffer> {
    let first = true;
    for await (const c of chunks) {
      let b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      if (first && nsec) {
        // The magic always sits whole in the first chunk: the caller peeked 24 bytes into it.
        b = Buffer.from(b);
        if (littleEndian) b.writeUInt32LE(PCAP_MAGIC_USEC, 0);
        else b.writeUInt32BE(PCAP_MAGIC_USEC, 0);
      }
      first = false;
      yield b;
    }
  }
  const src = Readable.from(rewritten(), { objectMode: true, highWaterMark: 4 });
  const parser = pcapParser.parse(src);

  let queue: CaptureFrame[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  let n = 0;
  let snapMax = MAX_CAPLEN;
  let linktype = LINKTYPE_ETHERNET;
  let warnedLinktype = false;
  let headerSeen = false;

  parser.on('globalHeader', (h: PpGlobalHeader) => {
    headerSeen = true;
    linktype = h.linkLayerType & 0x0fffffff;
    snapMax = h.snapshotLength > 0 && h.snapshotLength < MAX_CAPLEN ? h.snapshotLength : MAX_CAPLEN;
    setInfo({
      file,
      format: nsec ? 'pcap-nsec' : 'pcap',
      linktype,
      snaplen: h.snapshotLength,
      interfaces: [{ linktype, snaplen: h.snapshotLength }],
    });
  });
  parser.on('packetHeader', (h: PpPacket['header']) => {
    const caplen = h.capturedLength;
    if (caplen > snapMax) {
      parser.errored = true; // pcap-parser's own "stop parsing" flag
      src.destroy();
      sink.warn(
        'corrupt-record',
        n + 1,
        `corrupt record header: caplen ${caplen} exceeds the ${caplen > MAX_CAPLEN ? `maximum of ${MAX_CAPLEN}` : `snap length ${snapMax}`}; the rest of the file is skipped`,
      );
      done = true;
      signal();
    }
  });
  parser.on('packet', (p: PpPacket) => {
    if (done) return;
    const h = p.header;
    n++;
    const caplen = h.capturedLength;
    const len = h.originalLength;
    if (caplen === 0 || caplen < len) checkRecord(sink, n, caplen, len);
    if (linktype !== LINKTYPE_ETHERNET && !warnedLinktype) {
      warnedLinktype = true;
      sink.warn(
        'unknown-linktype',
        n,
        `linktype ${linktype} (${linktypeName(linktype)}) is not decoded (only Ethernet, linktype 1); frames are reported as raw`,
      );
    }
    const digits = nsec ? 9 : 6;
    queue.push({
      n,
      ts: tsNumber(h.timestampSeconds, h.timestampMicroseconds, digits),
      tsString: formatTs(h.timestampSeconds, h.timestampMicroseconds, digits),
      len,
      caplen,
      linktype,
      ifIndex: 0,
      data: new Uint8Array(p.data),
    });
    if (queue.length >= HIGH_WATER) src.pause();
    signal();
  });
  parser.on('error', (err: Error) => {
    if (done) return;
    failure = headerSeen
      ? err
      : new FabricError('E_CAPTURE_FORMAT', `not a readable pcap file (${err.message}; magic ${hex32(be)})`, {
          location: file,
          cause: err,
        });
    done = true;
    signal();
  });
  parser.on('end', () => {
    if (done) return;
    done = true;
    const rest = parser.buffer ? parser.buffer.length : 0;
    const state = parser.state?.name;
    if (state === 'parseGlobalHeader') {
      failure = new FabricError(
        'E_CAPTURE_TRUNCATED',
        rest === 0 ? 'empty file' : `file ends inside the file header (${rest} bytes)`,
        { location: file },
      );
    } else if (state === 'parsePacketBody') {
      const caplen = parser.currentPacketHeader?.capturedLength ?? 0;
      sink.warn(
        'truncated-file',
        n + 1,
        truncationMessage(n + 1, `record incomplete (${rest} of ${caplen} captured bytes present)`),
      );
    } else if (rest > 0) {
      sink.warn(
        'truncated-file',
        n + 1,
        truncationMessage(n + 1, `record header incomplete (${rest} of ${PCAP_RECORD_HEADER_LEN} bytes)`),
      );
    }
    signal();
  });
  src.on('error', (err) => {
    if (done) return;
    failure = err;
    done = true;
    signal();
  });

  try {
    while (true) {
      if (queue.length) {
        const batch = queue;
        queue = [];
        if (!done && src.isPaused()) src.resume();
        yield batch;
        continue;
      }
      if (done) break;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    if (failure) throw failure;
    sink.summarise();
  } finally {
    if (!src.destroyed) src.destroy();
  }
}
