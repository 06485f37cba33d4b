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
  DECODED_LINKTYPES,
  MAX_CAPLEN,
  PCAP_RECORD_HEADER_LEN,
  hex32,
} from './format.js';
import { carryFraction, formatTs, tsNumber } from './timestamp.js';
import type { CaptureFrame, CaptureInfo, RawRecord } from './types.js';
import { WarningSink, checkRecord, linktypeMessage, truncationMessage } from './warnings.js';

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

/** What the parser's event handlers share with the consuming generator. */
interface Flow {
  queue: CaptureFrame[];
  done: boolean;
  failure: unknown;
  signal(): void;
}

interface Setup {
  file: string;
  nsec: boolean;
  be: number;
  sink: WarningSink;
  setInfo: (i: CaptureInfo) => void;
}

/** Rewrites a nanosecond magic to the microsecond one, which is all pcap-parser knows. */
async function* rewritten(chunks: AsyncIterable<Uint8Array>, nsec: boolean, le: boolean): AsyncGenerator<Buffer> {
  let first = true;
  for await (const c of chunks) {
    let b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    if (first && nsec) {
      // The magic always sits whole in the first chunk: the caller peeked 24 bytes into it.
      b = Buffer.from(b);
      if (le) b.writeUInt32LE(PCAP_MAGIC_USEC, 0);
      else b.writeUInt32BE(PCAP_MAGIC_USEC, 0);
    }
    first = false;
    yield b;
  }
}

/** Turns pcap-parser's events into frames and warnings, exactly as the fast walker reports them. */
function listen(parser: PcapParserInstance, src: Readable, s: Setup, flow: Flow): void {
  const { file, nsec, sink } = s;
  let n = 0;
  let snapMax = MAX_CAPLEN;
  let linktype = LINKTYPE_ETHERNET;
  let warnedLinktype = false;
  let headerSeen = false;
  const digits = nsec ? 9 : 6;
  const unit = nsec ? 1e9 : 1e6;
  const rec = { sec: 0, frac: 0, fracDigits: digits } as RawRecord;

  parser.on('globalHeader', (h: PpGlobalHeader) => {
    headerSeen = true;
    linktype = h.linkLayerType & 0x0fffffff;
    snapMax = h.snapshotLength > 0 && h.snapshotLength < MAX_CAPLEN ? h.snapshotLength : MAX_CAPLEN;
    s.setInfo({
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
      flow.done = true;
      flow.signal();
    }
  });
  parser.on('packet', (p: PpPacket) => {
    if (flow.done) return;
    const h = p.header;
    n++;
    const caplen = h.capturedLength;
    const len = h.originalLength;
    if (caplen === 0 || caplen !== len) checkRecord(sink, n, caplen, len);
    rec.sec = h.timestampSeconds;
    rec.frac = h.timestampMicroseconds;
    if (rec.frac >= unit) sink.warn('bad-timestamp', n, carryFraction(rec, unit));
    if (!warnedLinktype && !DECODED_LINKTYPES.has(linktype)) {
      warnedLinktype = true;
      sink.warn('unknown-linktype', n, linktypeMessage(linktype, undefined));
    }
    flow.queue.push({
      n,
      ts: tsNumber(rec.sec, rec.frac, digits),
      tsString: formatTs(rec.sec, rec.frac, digits),
      len,
      caplen,
      linktype,
      ifIndex: 0,
      data: new Uint8Array(p.data),
    });
    if (flow.queue.length >= HIGH_WATER) src.pause();
    flow.signal();
  });
  parser.on('error', (err: Error) => {
    if (flow.done) return;
    flow.failure = headerSeen
      ? err
      : new FabricError('E_CAPTURE_FORMAT', `not a readable pcap file (${err.message}; magic ${hex32(s.be)})`, {
          location: file,
          cause: err,
        });
    flow.done = true;
    flow.signal();
  });
  parser.on('end', () => {
    if (flow.done) return;
    flow.done = true;
    const rest = parser.buffer ? parser.buffer.length : 0;
    const state = parser.state?.name;
    if (state === 'parseGlobalHeader') {
      flow.failure = new FabricError(
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
    flow.signal();
  });
  src.on('error', (err) => {
    if (flow.done) return;
    flow.failure = err;
    flow.done = true;
    flow.signal();
  });
}

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
  const src = Readable.from(rewritten(chunks, nsec, littleEndian), { objectMode: true, highWaterMark: 4 });
  const parser = pcapParser.parse(src);

  let wake: (() => void) | undefined;
  const flow: Flow = {
    queue: [],
    done: false,
    failure: undefined,
    signal() {
      const w = wake;
      wake = undefined;
      w?.();
    },
  };
  listen(parser, src, { file, nsec, be, sink, setInfo }, flow);

  try {
    while (true) {
      if (flow.queue.length) {
        const batch = flow.queue;
        flow.queue = [];
        if (!flow.done && src.isPaused()) src.resume();
        yield batch;
        continue;
      }
      if (flow.done) break;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    if (flow.failure) throw flow.failure;
    sink.summarise();
  } finally {
    if (!src.destroyed) src.destroy();
  }
}
