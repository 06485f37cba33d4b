// `fabric inspect`: read capture files (streaming), dissect each frame, filter, and print text
// lines, JSON Lines or stack-shape statistics. Memory stays flat: one read buffer, one reused
// dissector, output flushed with back-pressure.
import type { Writable } from 'node:stream';
import { isFabricError } from '../errors/fabric-error.js';
import { Dissector, firstLayer, parseDecodeAs, type DecodeAs } from '../decode/index.js';
import { WARNINGS_PER_CODE, escapeControl, openCapture, type CaptureEngine, type CaptureFrame } from '../pcap/index.js';
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
    let overruns = 0;
    try {
      for await (const f of cap) {
        if (out.closed) break;
        first ??= f.tsString; // relative times count from the file's first frame, filtered or not
        const start = firstLayer(f.linktype, f.data);
        const decoded = start !== 0;
        if (decoded) {
          d.walk(f.data, 0, f.data.length, start);
          if (d.over !== 0) {
            const m = overrunMessage(d, cap.file, f);
            if (m !== undefined && ++overruns <= WARNINGS_PER_CODE) io.err.write(`warning: ${m}\n`);
          }
        } else d.count = 0;
        if (filter && !(decoded ? filter(f.data, d) : (rawFilter?.(f.data, d) ?? true))) continue;
        if (stats) {
          stats.add(decoded ? d.signature() : 'raw(unknown-linktype)');
          continue;
        }
        const layers: InspectLayer[] = decoded
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
            out.line(`==> ${escapeControl(cap.file)} <==`);
            header = false;
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
        if (out.pending >= FLUSH_AT) await out.flush();
      }
    } catch (err) {
      if (!isFabricError(err)) throw err;
      io.err.write(err.format() + '\n');
      status = 1;
    }
    if (overruns > WARNINGS_PER_CODE)
      io.err.write(
        `warning: ${escapeControl(cap.file)}: ${overruns} frames with a length field beyond the frame in total (${overruns - WARNINGS_PER_CODE} not listed)\n`,
      );
    await out.flush();
  }
  if (stats) {
    out.text(o.json ? stats.json() : stats.text());
    await out.flush();
  }
  return status;
}
