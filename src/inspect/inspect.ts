// `fabric inspect`: read capture files (streaming), dissect each frame, filter, and print text
// lines, JSON Lines or stack-shape statistics. Memory stays flat: one read buffer, one reused
// dissector, output flushed with back-pressure.
import type { Writable } from 'node:stream';
import { FabricError, isFabricError } from '../errors/fabric-error.js';
import { Dissector, firstLayer, parseDecodeAs, type DecodeAs } from '../decode/index.js';
import {
  WARNINGS_PER_CODE,
  escapeControl,
  openCapture,
  type Capture,
  type CaptureEngine,
  type CaptureFrame,
} from '../pcap/index.js';
import { compileFilter, type FilterOptions } from './filter.js';
import { frameJson } from './format-json.js';
import { layersText, relTime } from './format-text.js';
import { LineOutput } from './output.js';
import { MatchWriter, writeFormatFor } from './write-matched.js';
import { ShapeStats } from './stats.js';
import type { InspectFrame, InspectLayer } from './types.js';

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
}

const FLUSH_AT = 1 << 16;

/** Decodes one captured frame; a link type the decoder does not know stays one raw layer. */
export function decodeFrame(f: CaptureFrame, d: Dissector): InspectLayer[] {
  const first = firstLayer(f.linktype, f.data);
  if (first === 0) return [{ name: 'raw', len: f.caplen, reason: 'unknown-linktype' }];
  d.walk(f.data, 0, f.data.length, first);
  return d.layers();
}

/** tshark's "IPv4 total length exceeds packet length": only for frames the snap length did not cut. */
function overrunMessage(d: Dissector, file: string, f: CaptureFrame): string | undefined {
  if (d.over === 0 || f.caplen < f.len) return undefined;
  const i = d.over - 1;
  const what = d.name(i) === 'ipv4' ? 'IPv4 total length' : d.name(i) === 'ipv6' ? 'IPv6 payload length' : 'UDP length';
  const claimed = d.name(i) === 'ipv6' ? d.overLen - 40 : d.overLen;
  const left = d.name(i) === 'ipv6' ? d.overAvail - 40 : d.overAvail;
  return escapeControl(
    `${file}: frame ${f.n}: ${what} ${claimed} exceeds the ${left} bytes the frame holds (layer ${i + 1}, ${d.name(i)}); the frame is not cut by the snap length`,
  );
}

/** One inspect run over several files: shared dissector, filters, output, statistics and -w/-c state. */
class InspectRun {
  readonly filter;
  readonly rawFilter;
  readonly d: Dissector;
  readonly out: LineOutput;
  readonly stats: ShapeStats | undefined;
  readonly several: boolean;
  writer: MatchWriter | undefined;
  matched = 0;
  status = 0;

  constructor(
    readonly files: string[],
    readonly o: InspectOptions,
    readonly io: InspectIo,
  ) {
    const decodeAs: DecodeAs | undefined = o.decodeAs?.length ? parseDecodeAs(o.decodeAs) : undefined;
    this.filter = compileFilter(o);
    // A frame of a link type we do not decode: only --contains can match it.
    this.rawFilter =
      o.vlan?.length || o.label?.length || o.vni?.length || o.ip?.length
        ? () => false
        : compileFilter({ contains: o.contains ?? [] });
    if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 0))
      throw new FabricError('E_INSPECT_FILTER', `-c ${o.count}: expected a whole number of frames`);
    this.d = new Dissector(decodeAs ? { decodeAs } : {});
    this.out = new LineOutput(io.out);
    this.stats = o.stats ? new ShapeStats() : undefined;
    this.several = files.length > 1;
  }

  get done(): boolean {
    return this.out.closed || (this.o.count !== undefined && this.matched >= this.o.count);
  }

  async open(path: string): Promise<Capture | undefined> {
    try {
      return await openCapture(path, {
        ...(this.o.engine ? { engine: this.o.engine } : {}),
        // Each frame is fully handled before the next is pulled, so views into the read buffer are
        // safe, and a smaller chunk keeps fewer frame objects alive at once.
        reuseBuffers: true,
        chunkSize: 1 << 20,
        onWarning: (w) => {
          this.io.err.write(`warning: ${w.message}\n`);
        },
      });
    } catch (err) {
      if (!isFabricError(err)) throw err;
      this.io.err.write(err.format() + '\n');
      this.status = 1;
      return undefined;
    }
  }

  async file(path: string, index: number): Promise<void> {
    const cap = await this.open(path);
    if (!cap) return;
    const { d, o, out, stats } = this;
    // Text mode with several files: a header before the first frame printed from each file.
    let header = this.several && !o.json && !stats && !this.writer;
    let first: string | undefined;
    let overruns = 0;
    try {
      for await (const f of cap) {
        if (this.done) break;
        first ??= f.tsString; // relative times count from the file's first frame, filtered or not
        const start = firstLayer(f.linktype, f.data);
        const decoded = start !== 0;
        if (decoded) {
          d.walk(f.data, 0, f.data.length, start);
          if (d.over !== 0) {
            const m = overrunMessage(d, cap.file, f);
            if (m !== undefined && ++overruns <= WARNINGS_PER_CODE) this.io.err.write(`warning: ${m}\n`);
          }
        } else d.count = 0;
        if (this.filter && !(decoded ? this.filter(f.data, d) : (this.rawFilter?.(f.data, d) ?? true))) continue;
        this.matched++;
        if (this.writer) {
          if (!this.writer.add(f, index, cap.info)) await this.writer.drain();
        } else if (stats) {
          stats.add(decoded ? d.signature() : 'raw(unknown-linktype)');
        } else {
          if (header && !o.json) {
            out.line(`==> ${escapeControl(cap.file)} <==`);
            header = false;
          }
          this.print(f, cap, decoded, first);
          if (out.pending >= FLUSH_AT) await out.flush();
        }
      }
    } catch (err) {
      if (!isFabricError(err)) throw err;
      this.io.err.write(err.format() + '\n');
      this.status = 1;
    }
    if (overruns > WARNINGS_PER_CODE)
      this.io.err.write(
        `warning: ${escapeControl(cap.file)}: ${overruns} frames with a length field beyond the frame in total (${overruns - WARNINGS_PER_CODE} not listed)\n`,
      );
    await out.flush();
  }

  print(f: CaptureFrame, cap: Capture, decoded: boolean, first: string): void {
    const { d, o, out } = this;
    const layers: InspectLayer[] = decoded ? d.layers() : [{ name: 'raw', len: f.caplen, reason: 'unknown-linktype' }];
    const pcapng = cap.info?.format === 'pcapng';
    if (o.json) {
      const jf: InspectFrame = { n: f.n, tsString: f.tsString, len: f.len, caplen: f.caplen, layers };
      if (this.several) jf.file = cap.file;
      if (pcapng) jf.if = f.ifName ?? f.ifIndex;
      out.line(frameJson(jf));
      return;
    }
    const t = o.absTime ? f.tsString : relTime(f.tsString, first);
    const iface = pcapng ? ` @${f.ifName !== undefined ? escapeControl(f.ifName) : f.ifIndex}` : '';
    const cut =
      f.caplen === f.len
        ? ''
        : f.caplen < f.len
          ? ` [${f.caplen} of ${f.len} bytes captured]`
          : ` [captured length ${f.caplen} > original length ${f.len}]`;
    out.line(`${f.n} ${t}${iface} ${layersText(layers)}${cut}`);
  }
}

/**
 * Runs inspect over files ('-' = stdin). Returns the exit status: 1 if a file could not be read at
 * all (or -w could not write).
 */
export async function runInspect(files: string[], o: InspectOptions, io: InspectIo): Promise<number> {
  const run = new InspectRun(files, o, io);
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
