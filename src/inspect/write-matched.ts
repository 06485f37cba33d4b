// `fabric inspect -w FILE`: the matched frames written as a capture file, pcap or pcapng by the
// file's extension or `-F`. Frames keep their bytes, original length, exact timestamp, link type
// and (pcapng) interface name and comment, so tshark reads the file as it read the source.
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { FabricError } from '../errors/fabric-error.js';
import {
  createPcapngWriter,
  createPcapWriter,
  MAX_CAPLEN,
  type CaptureFrame,
  type CaptureInfo,
  type CaptureWriter,
} from '../pcap/index.js';

export type WriteFormat = 'pcap' | 'pcapng';

/** The output format: `-F` when given, else pcapng for a .pcapng/.ntar name, else pcap. */
export function writeFormatFor(path: string, given?: string): WriteFormat {
  if (given !== undefined) {
    if (given !== 'pcap' && given !== 'pcapng')
      throw new FabricError('E_INSPECT_FILTER', `-F ${JSON.stringify(given)}: expected pcap or pcapng`);
    return given;
  }
  return /\.(pcapng|ntar)$/i.test(path) ? 'pcapng' : 'pcap';
}

/** Exact nanoseconds since the epoch from the timestamp text ("1700000000.000120"). */
function tsNs(ts: string): bigint {
  const [s, f = ''] = ts.split('.');
  return BigInt(s!) * 1_000_000_000n + BigInt(f.padEnd(9, '0').slice(0, 9) || '0');
}

export class MatchWriter {
  private w: CaptureWriter | undefined;
  /** pcapng: (source file index, source interface) → output interface. */
  private readonly ifaces = new Map<string, number>();
  private linktype = -1;
  frames = 0;

  private constructor(
    private readonly out: Writable,
    private readonly format: WriteFormat,
    private readonly path: string,
    /** Frames from several files: a classic pcap then takes the largest snaplen. */
    private readonly several: boolean,
  ) {}

  /** Opens the output now, so a bad path fails before any input is read. '-' writes to `stdout`. */
  static open(path: string, format: WriteFormat, stdout: Writable, several: boolean): MatchWriter {
    if (path === '-') return new MatchWriter(stdout, format, path, several);
    try {
      // Opened synchronously so that a bad path is an error here, not a later stream 'error' event.
      const fd = openSync(path, 'w');
      return new MatchWriter(createWriteStream('', { fd, autoClose: true }), format, path, several);
    } catch (err) {
      throw new FabricError('E_CAPTURE_WRITE', `cannot write ${path}: ${(err as Error).message}`, {
        location: path,
        hint: 'give -w a path in an existing, writable directory',
        cause: err,
      });
    }
  }

  /** Writes one matched frame. Returns false when the caller should `await drain()` first. */
  add(f: CaptureFrame, fileIndex: number, info: CaptureInfo | undefined): boolean {
    const w = this.writer(f, info);
    let ifIndex = 0;
    if (this.format === 'pcapng') {
      const key = `${fileIndex}/${f.ifIndex}`;
      let i = this.ifaces.get(key);
      if (i === undefined) {
        const src = info?.interfaces[f.ifIndex];
        const snaplen = src?.snaplen ? src.snaplen : MAX_CAPLEN;
        i = w.addInterface({
          linktype: f.linktype,
          snaplen,
          precision: 'ns',
          ...(f.ifName !== undefined ? { name: f.ifName } : {}),
        });
        this.ifaces.set(key, i);
      }
      ifIndex = i;
    } else if (f.linktype !== this.linktype) {
      throw new FabricError(
        'E_CAPTURE_WRITE',
        `frame ${f.n} has link type ${f.linktype}, but ${this.path} is a classic pcap of link type ${this.linktype}`,
        { location: this.path, hint: 'a classic pcap holds one link type: write pcapng (-F pcapng or a .pcapng name)' },
      );
    }
    const p = { data: f.data, tsNs: tsNs(f.tsString), len: f.len, ifIndex };
    if (f.comment !== undefined && this.format === 'pcapng') Object.assign(p, { comment: f.comment });
    this.frames++;
    return w.write(p);
  }

  async drain(): Promise<void> {
    await this.w?.drain();
  }

  private writer(f: CaptureFrame, info: CaptureInfo | undefined): CaptureWriter {
    if (this.w) return this.w;
    if (this.format === 'pcapng') {
      this.w = createPcapngWriter(this.out, { interfaces: [] });
    } else {
      this.linktype = f.linktype;
      // Nanosecond precision when the source has it (9 fraction digits), microseconds otherwise.
      const ns = (f.tsString.split('.')[1] ?? '').length > 6;
      const snap = !this.several && info && info.format !== 'pcapng' && info.snaplen > 0 ? info.snaplen : MAX_CAPLEN;
      this.w = createPcapWriter(this.out, { linktype: f.linktype, precision: ns ? 'ns' : 'us', snaplen: snap });
    }
    return this.w;
  }

  /** Flushes and closes; a run that matched nothing still writes a valid (empty) file. */
  async close(): Promise<void> {
    if (!this.w) {
      this.w =
        this.format === 'pcapng' ? createPcapngWriter(this.out, { interfaces: [] }) : createPcapWriter(this.out, {});
    }
    await this.w.close();
    if (this.path !== '-') {
      this.out.end();
      if (!this.out.writableFinished) await new Promise<void>((r) => this.out.once('finish', () => r()));
    }
  }
}
