// `fabric inspect`: read capture files (streaming), dissect each frame, filter, and print text
// lines, JSON Lines or stack-shape statistics. Memory stays flat: one read buffer, one reused
// dissector, output flushed with back-pressure.
import type { Writable } from 'node:stream';
import { isFabricError } from '../errors/fabric-error.js';
import { Dissector, parseDecodeAs, type DecodeAs } from '../decode/index.js';
import { LINKTYPE_ETHERNET, openCapture, type CaptureEngine, type CaptureFrame } from '../pcap/index.js';
import { compileFilter, type FilterOptions } from './filter.js';
import { frameJson } from './format-json.js';
import { layersText, relTime } from './format-text.js';
import { LineOutput } from './output.js';
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
}

export interface InspectIo {
  out: Writable;
  err: Writable;
}

const FLUSH_AT = 1 << 16;

/** Decodes one captured frame; non-Ethernet linktypes stay one raw layer. */
export function decodeFrame(f: CaptureFrame, d: Dissector): InspectLayer[] {
  if (f.linktype !== LINKTYPE_ETHERNET) return [{ name: 'raw', len: f.caplen, reason: 'unknown-linktype' }];
  d.walk(f.data);
  return d.layers();
}

/** Runs inspect over files ('-' = stdin). Returns the exit status: 1 if a file could not be read at all. */
export async function runInspect(files: string[], o: InspectOptions, io: InspectIo): Promise<number> {
  const decodeAs: DecodeAs | undefined = o.decodeAs?.length ? parseDecodeAs(o.decodeAs) : undefined;
  const filter = compileFilter(o);
  // A frame that is not Ethernet is not decoded: only --contains can match it.
  const rawFilter =
    o.vlan?.length || o.label?.length || o.vni?.length || o.ip?.length
      ? () => false
      : compileFilter({ contains: o.contains ?? [] });
  const d = new Dissector(decodeAs ? { decodeAs } : {});
  const out = new LineOutput(io.out);
  const stats = o.stats ? new ShapeStats() : undefined;
  const several = files.length > 1;
  let status = 0;

  for (const path of files) {
    if (out.closed) break;
    let cap;
    try {
      cap = await openCapture(path, {
        ...(o.engine ? { engine: o.engine } : {}),
        // Each frame is fully handled before the next is pulled, so views into the read buffer are
        // safe, and a smaller chunk keeps fewer frame objects alive at once.
        reuseBuffers: true,
        chunkSize: 1 << 20,
        onWarning: (w) => {
          io.err.write(`warning: ${w.message}\n`);
        },
      });
    } catch (err) {
      if (!isFabricError(err)) throw err;
      io.err.write(err.format() + '\n');
      status = 1;
      continue;
    }
    // Text mode with several files: a header before the first frame printed from each file.
    let header = several && !o.json && !stats;
    let first: string | undefined;
    try {
      for await (const f of cap) {
        if (out.closed) break;
        first ??= f.tsString; // relative times count from the file's first frame, filtered or not
        const ethernet = f.linktype === LINKTYPE_ETHERNET;
        if (ethernet) d.walk(f.data);
        else d.count = 0;
        if (filter && !(ethernet ? filter(f.data, d) : (rawFilter?.(f.data, d) ?? true))) continue;
        if (stats) {
          stats.add(ethernet ? d.signature() : 'raw(unknown-linktype)');
          continue;
        }
        const layers: InspectLayer[] = ethernet
          ? d.layers()
          : [{ name: 'raw', len: f.caplen, reason: 'unknown-linktype' }];
        const pcapng = cap.info?.format === 'pcapng';
        if (o.json) {
          const jf: InspectFrame = { n: f.n, tsString: f.tsString, len: f.len, caplen: f.caplen, layers };
          if (several) jf.file = cap.file;
          if (pcapng) jf.if = f.ifName ?? f.ifIndex;
          out.line(frameJson(jf));
        } else {
          if (header) {
            out.line(`==> ${cap.file} <==`);
            header = false;
          }
          const t = o.absTime ? f.tsString : relTime(f.tsString, first);
          const iface = pcapng ? ` @${f.ifName ?? f.ifIndex}` : '';
          const cut = f.caplen !== f.len ? ` [${f.caplen} of ${f.len} bytes captured]` : '';
          out.line(`${f.n} ${t}${iface} ${layersText(layers)}${cut}`);
        }
        if (out.pending >= FLUSH_AT) await out.flush();
      }
    } catch (err) {
      if (!isFabricError(err)) throw err;
      io.err.write(err.format() + '\n');
      status = 1;
    }
    await out.flush();
  }
  if (stats) {
    out.text(o.json ? stats.json() : stats.text());
    await out.flush();
  }
  return status;
}
