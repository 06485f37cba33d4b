// `fabric inspect`: read capture files (streaming), dissect each frame, filter, and print text
// lines, JSON Lines or stack-shape statistics, or write the matched frames (-w). Memory stays
// flat: one read buffer, one reused dissector, output flushed with back-pressure. The default
// engine hands each record to a synchronous callback (scanCapture: no object, promise or string
// per frame until something is printed); the pcap-parser engine goes through openCapture.
import type { Writable } from 'node:stream';
import { FabricError, isFabricError } from '../errors/fabric-error.js';
import { Dissector, firstLayer, parseDecodeAs, type DecodeAs } from '../decode/index.js';
import { fileTunnelPorts } from '../capture/manifest.js';
import {
  WARNINGS_PER_CODE,
  escapeControl,
  openCapture,
  recordToFrame,
  scanCapture,
  type CaptureEngine,
  type CaptureFrame,
  type CaptureWarning,
  type RawRecord,
} from '../pcap/index.js';
import { compileFilter, type FilterOptions, type FrameFilter } from './filter.js';
import { FileState, overrunMessage, printRecord } from './print.js';
import { LineOutput } from './output.js';
import { MatchWriter, writeFormatFor } from './write-matched.js';
import { ShapeStats } from './stats.js';

export interface InspectOptions extends FilterOptions {
  json?: boolean;
  stats?: boolean;
  /** --decode-as items (`1001=pw-eth-nocw`, `pw-eth-cw`, tshark style `mpls.label==1001,pwethnocw`). */
  decodeAs?: string[];
  /** Print absolute epoch timestamps instead of time since the file's first frame. */
  absTime?: boolean;
  engine?: CaptureEngine;
  /** -w: write the matched frames to this capture file ('-' = stdout) instead of printing them. */
  write?: string;
  /** -F: pcap or pcapng for -w (default: by the file's extension). */
  writeFormat?: string;
  /** -c: stop after this many matched frames (over all files). */
  count?: number;
}

export interface InspectIo {
  out: Writable;
  err: Writable;
  /**
   * `out` is done with a written chunk once the write callback runs (a file, pipe or terminal
   * such as process.stdout), so output buffers may be reused. Not for a stream that passes
   * chunks on to readers (a PassThrough).
   */
  reuseWritten?: boolean;
}

const FLUSH_AT = 1 << 16;

/** Decodes one captured frame; a link type the decoder does not know stays one raw layer. */
export function decodeFrame(f: CaptureFrame, d: Dissector): ReturnType<Dissector['layers']> {
  const first = firstLayer(f.linktype, f.data);
  if (first === 0) return [{ name: 'raw', len: f.caplen, reason: 'unknown-linktype' }];
  d.walk(f.data, 0, f.data.length, first);
  return d.layers();
}

/** A CaptureFrame (pcap-parser engine) as the record the callback path takes. */
function frameRecord(f: CaptureFrame): RawRecord {
  const [s, frac = ''] = f.tsString.split('.');
  return {
    n: f.n,
    buf: f.data,
    off: 0,
    caplen: f.caplen,
    len: f.len,
    sec: Number(s),
    frac: Number(frac || '0'),
    fracDigits: frac.length,
    linktype: f.linktype,
    ifIndex: f.ifIndex,
    ifName: f.ifName,
    comment: f.comment,
  };
}

/** One inspect run over several files: shared dissector, filters, output, statistics and -w/-c state. */
class InspectRun {
  readonly filter: FrameFilter | undefined;
  readonly rawFilter: FrameFilter | undefined;
  readonly d: Dissector;
  readonly out: LineOutput;
  readonly stats: ShapeStats | undefined;
  readonly several: boolean;
  writer: MatchWriter | undefined;
  matched = 0;
  status = 0;
  private readonly limit: number;

  constructor(
    readonly files: string[],
    readonly o: InspectOptions,
    readonly io: InspectIo,
    /** UDP ports decoded as VXLAN besides --decode-as: the tunnels of stitched ends in a capture run. */
    tunnelPorts: number[] = [],
  ) {
    let decodeAs: DecodeAs | undefined = o.decodeAs?.length ? parseDecodeAs(o.decodeAs) : undefined;
    if (tunnelPorts.length)
      decodeAs = { ...decodeAs, vxlanPorts: [...new Set([...(decodeAs?.vxlanPorts ?? []), ...tunnelPorts])] };
    this.filter = compileFilter(o);
    // A frame of a link type we do not decode: only --contains can match it.
    this.rawFilter =
      o.vlan?.length || o.label?.length || o.vni?.length || o.ip?.length
        ? () => false
        : compileFilter({ contains: o.contains ?? [] });
    if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 0))
      throw new FabricError('E_INSPECT_FILTER', `-c ${o.count}: expected a whole number of frames`);
    this.limit = o.count ?? Infinity;
    this.d = new Dissector(decodeAs ? { decodeAs } : {});
    this.out = new LineOutput(io.out, io.reuseWritten === true);
    this.stats = o.stats ? new ShapeStats() : undefined;
    this.several = files.length > 1;
  }

  get done(): boolean {
    return this.out.closed || this.matched >= this.limit;
  }

  private readonly warn = (w: CaptureWarning): void => {
    this.io.err.write(`warning: ${w.message}\n`);
  };

  private failed(err: unknown): void {
    if (!isFabricError(err)) throw err;
    this.io.err.write(err.format() + '\n');
    this.status = 1;
  }

  /** Everything done with one record: decode, length checks, filter, then write, count or print. */
  record(r: RawRecord, st: FileState): void {
    if (this.done) return;
    st.first(r);
    const d = this.d;
    const start = firstLayer(r.linktype, r.buf, r.off);
    const decoded = start !== 0;
    if (decoded) {
      d.walk(r.buf, r.off, r.off + r.caplen, start);
      if (d.over !== 0) {
        const m = overrunMessage(d, st.file, r);
        if (m !== undefined && ++st.overruns <= WARNINGS_PER_CODE) this.io.err.write(`warning: ${m}\n`);
      }
    } else d.count = 0;
    if (this.filter) {
      const data = r.buf.subarray(r.off, r.off + r.caplen);
      if (!(decoded ? this.filter(data, d) : (this.rawFilter?.(data, d) ?? true))) return;
    }
    this.matched++;
    if (this.writer) {
      if (!this.writer.add(recordToFrame(r, false), st.index, st.info)) st.drain = true;
    } else if (this.stats) {
      if (decoded) this.stats.addWalk(d);
      else this.stats.add('raw(unknown-linktype)');
    } else {
      printRecord(this.out, r, st, d, decoded, this.o);
    }
  }

  private async afterChunk(st: FileState): Promise<void> {
    if (st.drain) {
      st.drain = false;
      await this.writer?.drain();
    }
    if (this.out.pending >= FLUSH_AT) await this.out.flush();
  }

  async file(path: string, index: number): Promise<void> {
    const st = new FileState(path === '-' ? '<stdin>' : path, index, this.several, this.o);
    try {
      if (this.o.engine === 'pcap-parser') {
        const cap = await openCapture(path, {
          engine: 'pcap-parser',
          reuseBuffers: true,
          chunkSize: 1 << 20,
          onWarning: this.warn,
        });
        st.file = cap.file;
        st.infoOf = () => cap.info;
        for await (const f of cap) {
          if (this.done) break;
          this.record(frameRecord(f), st);
          await this.afterChunk(st);
        }
      } else {
        await scanCapture(path, (r) => this.record(r, st), {
          chunkSize: 1 << 20,
          onWarning: this.warn,
          onOpen: (w) => {
            st.infoOf = () => w.info;
          },
          afterChunk: () => this.afterChunk(st),
          stop: () => this.done,
        });
      }
    } catch (err) {
      this.failed(err);
    }
    if (st.overruns > WARNINGS_PER_CODE)
      this.io.err.write(
        `warning: ${escapeControl(st.file)}: ${st.overruns} frames with a length field beyond the frame in total (${st.overruns - WARNINGS_PER_CODE} not listed)\n`,
      );
    await this.out.flush();
  }
}

/**
 * Runs inspect over files ('-' = stdin). Returns the exit status: 1 if a file could not be read at
 * all (or -w could not write).
 */
export async function runInspect(files: string[], o: InspectOptions, io: InspectIo): Promise<number> {
  // A file of a capture run whose end was captured in a stitched link's tunnel: VXLAN on its port.
  const run = new InspectRun(files, o, io, [...new Set(files.flatMap(fileTunnelPorts))]);
  if (o.write !== undefined) {
    try {
      run.writer = MatchWriter.open(o.write, writeFormatFor(o.write, o.writeFormat), io.out, run.several);
    } catch (err) {
      if (!isFabricError(err)) throw err;
      io.err.write(err.format() + '\n');
      return 1;
    }
  }
  for (let i = 0; i < files.length && !run.done; i++) await run.file(files[i]!, i);
  if (run.writer) {
    await run.writer.close();
  } else if (run.stats) {
    run.out.text(o.json ? run.stats.json() : run.stats.text());
    await run.out.flush();
  }
  return run.status;
}
