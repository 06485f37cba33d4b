// Capture reading API.
// - `openCapture(path | '-', opts)`: an async iterable of CaptureFrame (one object per frame, data
//   copied), for inspect and tests. Files and pcapng use the fast chunked walker; a classic pcap on
//   stdin (or engine 'pcap-parser') streams through pcap-parser.
// - `scanCapture(path, onRecord)`: the zero-copy path for throughput (bench, conformance judges):
//   one reused RawRecord per frame, valid only during the callback.
// Memory is bounded by one read buffer (default 4 MiB, grown only to the largest record).
import type { Readable } from 'node:stream';
import { FabricError } from '../errors/fabric-error.js';
import { PCAPNG_SHB } from './format.js';
import { FileSource, StreamSource, type ByteSource } from './source.js';
import type {
  CaptureEngine,
  CaptureFrame,
  CaptureInfo,
  CaptureWarning,
  OpenCaptureOptions,
  RawRecord,
} from './types.js';
import { CaptureWalker, formatTs, tsNumber } from './walker.js';
import { WarningSink } from './warnings.js';
import { readWithPcapParser } from './pcap-parser-reader.js';

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** Pumps a source through a walker; yields after each chunk (before the buffer is compacted). */
async function* drive(src: ByteSource, walker: CaptureWalker, chunkSize: number): AsyncGenerator<void> {
  let buf = new Uint8Array(chunkSize);
  let fill = 0;
  while (true) {
    if (walker.need > buf.length) {
      const bigger = new Uint8Array(Math.max(walker.need, buf.length * 2));
      bigger.set(buf.subarray(0, fill));
      buf = bigger;
    }
    let got = await src.read(buf, fill);
    if (got === 0) {
      walker.finish(fill);
      return;
    }
    // Top up small reads (pipes deliver 64 KiB) so the walker sees big chunks.
    while (got > 0 && fill + got < buf.length && fill + got < walker.need) {
      const more = await src.read(buf, fill + got);
      if (more === 0) break;
      got += more;
    }
    const total = fill + got;
    const used = walker.push(buf, 0, total);
    yield;
    if (walker.stopped) {
      walker.finish(0);
      return;
    }
    if (used < total) buf.copyWithin(0, used, total);
    fill = total - used;
  }
}

async function openSource(path: string | Readable): Promise<{ src: ByteSource; name: string; stream?: StreamSource }> {
  if (typeof path !== 'string' || path === '-') {
    const name = typeof path === 'string' ? '<stdin>' : '<stream>';
    const s = new StreamSource(typeof path === 'string' ? process.stdin : path, name);
    return { src: s, name, stream: s };
  }
  return { src: await FileSource.open(path), name: path };
}

function isPcapng(head: Uint8Array): boolean {
  return head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) === PCAPNG_SHB;
}

export interface ScanOptions {
  chunkSize?: number;
  onWarning?: (w: CaptureWarning) => void;
  /** Awaited after each chunk (e.g. to wait for an output stream to drain). */
  afterChunk?: () => void | Promise<void>;
  /** Called once before any record, with the walker: its `info` is set from the file header on. */
  onOpen?: (walker: { readonly info: CaptureInfo | undefined }) => void;
  /** Checked after each chunk: true ends the scan there (the rest of the file is not read). */
  stop?: () => boolean;
  displayName?: string;
}

export interface ScanResult {
  info: CaptureInfo;
  frames: number;
  warnings: CaptureWarning[];
  /** True when a corrupt record stopped the walk before the end of the file. */
  stopped: boolean;
}

/** Fast path: walks every record of a file (or '-') and calls onRecord with a reused record. */
export async function scanCapture(
  path: string | Readable,
  onRecord: (r: RawRecord) => void,
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const { src, name } = await openSource(path);
  const file = opts.displayName ?? name;
  const sink = new WarningSink(file, opts.onWarning);
  const walker = new CaptureWalker(file, onRecord, sink);
  opts.onOpen?.(walker);
  try {
    await src.peek(); // surfaces EISDIR and friends as "unreadable" before any parsing
    for await (const _ of drive(src, walker, opts.chunkSize ?? DEFAULT_CHUNK)) {
      if (opts.afterChunk) await opts.afterChunk();
      if (opts.stop?.()) break;
    }
  } finally {
    await src.close();
  }
  return { info: walker.info!, frames: walker.n, warnings: sink.list, stopped: walker.stopped };
}

export function recordToFrame(r: RawRecord, copy: boolean): CaptureFrame {
  const data = copy ? r.buf.slice(r.off, r.off + r.caplen) : r.buf.subarray(r.off, r.off + r.caplen);
  const f: CaptureFrame = {
    n: r.n,
    ts: tsNumber(r.sec, r.frac, r.fracDigits),
    tsString: formatTs(r.sec, r.frac, r.fracDigits),
    len: r.len,
    caplen: r.caplen,
    linktype: r.linktype,
    ifIndex: r.ifIndex,
    data,
  };
  if (r.ifName !== undefined) f.ifName = r.ifName;
  if (r.comment !== undefined) f.comment = r.comment;
  return f;
}

export interface Capture extends AsyncIterable<CaptureFrame> {
  /** The name used in messages (the path, or <stdin>). */
  readonly file: string;
  /** Which reader serves this capture. */
  readonly engine: 'fast' | 'pcap-parser';
  /** Known once the file header was read (immediately for files). */
  readonly info: CaptureInfo | undefined;
  /** Warnings so far (capped per kind; a summary is added at the end). */
  readonly warnings: CaptureWarning[];
}

/**
 * Opens a capture file ('-' = stdin, or any Readable such as `tcpdump -w -` output). Throws FabricError E_CAPTURE_UNREADABLE / E_CAPTURE_FORMAT /
 * E_CAPTURE_TRUNCATED when the file cannot be read at all; every other problem is a warning and
 * reading continues (or stops cleanly after a corrupt classic-pcap record header).
 */
export async function openCapture(path: string | Readable, opts: OpenCaptureOptions = {}): Promise<Capture> {
  const { src, name, stream } = await openSource(path);
  const file = opts.displayName ?? name;
  const sink = new WarningSink(file, opts.onWarning);
  let head: Uint8Array;
  try {
    head = await src.peek();
  } catch (err) {
    await src.close();
    throw err;
  }
  const engineOpt: CaptureEngine = opts.engine ?? 'auto';
  const ng = isPcapng(head);
  if (engineOpt === 'pcap-parser' && ng) {
    await src.close();
    throw new FabricError('E_CAPTURE_ENGINE', 'pcap-parser reads classic pcap only; this is a pcapng file', {
      location: file,
      hint: 'use the default engine',
    });
  }
  // Validate the magic now, so a wrong file fails at open time on both paths.
  const probe = new CaptureWalker(file, () => undefined, new WarningSink(file));
  try {
    probe.push(head, 0, head.length);
  } catch (err) {
    await src.close();
    throw err;
  }
  const usePP = !ng && (engineOpt === 'pcap-parser' || (engineOpt === 'auto' && stream !== undefined));
  const copy = !opts.reuseBuffers;
  let info: CaptureInfo | undefined;

  if (usePP) {
    const chunks = stream ? stream.chunks() : fileChunks(src, opts.chunkSize ?? 1 << 16);
    const cap: Capture = {
      file,
      engine: 'pcap-parser',
      get info() {
        return info;
      },
      warnings: sink.list,
      async *[Symbol.asyncIterator]() {
        try {
          for await (const batch of readWithPcapParser(file, head, chunks, sink, (i) => {
            info = i;
          }))
            yield* batch;
        } finally {
          await src.close();
        }
      },
    };
    return cap;
  }

  let batch: CaptureFrame[] = [];
  const walker = new CaptureWalker(
    file,
    (r) => {
      batch.push(recordToFrame(r, copy));
    },
    sink,
  );
  const cap: Capture = {
    file,
    engine: 'fast',
    get info() {
      return walker.info;
    },
    warnings: sink.list,
    [Symbol.asyncIterator]() {
      // A hand-written iterator: frames of the current chunk are handed out from an array with an
      // already-resolved promise each, which is several times cheaper than an async generator's yield.
      const chunks = drive(src, walker, opts.chunkSize ?? DEFAULT_CHUNK);
      let cur: CaptureFrame[] = [];
      let i = 0;
      let finished = false;
      const finish = async (): Promise<IteratorResult<CaptureFrame>> => {
        if (!finished) {
          finished = true;
          await chunks.return(undefined);
          await src.close();
        }
        return { value: undefined, done: true };
      };
      const it: AsyncIterator<CaptureFrame> = {
        next(): Promise<IteratorResult<CaptureFrame>> {
          if (i < cur.length) return Promise.resolve({ value: cur[i++]!, done: false });
          return (async () => {
            while (!finished) {
              let step: IteratorResult<void>;
              try {
                step = await chunks.next();
              } catch (err) {
                await finish();
                throw err;
              }
              if (step.done) return finish();
              cur = batch;
              batch = [];
              i = 0;
              if (cur.length) return { value: cur[i++]!, done: false };
            }
            return { value: undefined, done: true };
          })();
        },
        return: finish,
      };
      return it;
    },
  };
  return cap;
}

async function* fileChunks(src: ByteSource, size: number): AsyncGenerator<Uint8Array> {
  while (true) {
    const b = new Uint8Array(size);
    const n = await src.read(b, 0);
    if (n === 0) return;
    yield b.subarray(0, n);
  }
}
