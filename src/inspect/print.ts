// Per-file state and the printing of one record (text line or JSON Lines object), straight from
// the reused record and dissector: the time is computed from the integer seconds and fraction,
// not from timestamp text.
import type { Dissector } from '../decode/index.js';
import { escapeControl, formatTs, type CaptureInfo, type RawRecord } from '../pcap/index.js';
import { frameJsonWith } from './format-json.js';
import { layersText, relTime } from './format-text.js';
import type { LineOutput } from './output.js';
import type { InspectFrame, InspectLayer } from './types.js';

const UNKNOWN_LINKTYPE_JSON = (len: number) => `[{"name":"raw","len":${len},"reason":"unknown-linktype"}]`;

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export class FileState {
  /** The first frame's time: relative times count from it, filtered or not. */
  sec0 = 0;
  frac0 = 0;
  digits0 = -1;
  overruns = 0;
  /** A -w write asked for a drain (done after the chunk). */
  drain = false;
  /** Text mode with several files: a header before the first frame printed from each file. */
  header: boolean;
  infoOf: () => CaptureInfo | undefined = () => undefined;

  constructor(
    public file: string,
    readonly index: number,
    readonly several: boolean,
    o: { json?: boolean; stats?: boolean; write?: string },
  ) {
    this.header = several && !o.json && !o.stats && o.write === undefined;
  }

  get info(): CaptureInfo | undefined {
    return this.infoOf();
  }

  first(r: RawRecord): void {
    if (this.digits0 >= 0) return;
    this.sec0 = r.sec;
    this.frac0 = r.frac;
    this.digits0 = r.fracDigits;
  }

  /** Time since the file's first frame, as relTime prints it (same arithmetic, no strings). */
  rel(r: RawRecord): string {
    const d = r.fracDigits;
    if (d !== this.digits0) return relTime(formatTs(r.sec, r.frac, d), formatTs(this.sec0, this.frac0, this.digits0));
    const scale = POW10[d] ?? 10 ** d;
    // Seconds and fractions are subtracted separately: epoch seconds * 1e9 would exceed 2^53.
    let diff = (r.sec - this.sec0) * scale + (r.frac - this.frac0);
    const neg = diff < 0;
    if (neg) diff = -diff;
    const sec = Math.floor(diff / scale);
    const frac = diff - sec * scale;
    const out = d ? `${sec}.${String(frac).padStart(d, '0')}` : String(sec);
    return neg ? '-' + out : out;
  }
}

/** tshark's "IPv4 total length exceeds packet length": only for frames the snap length did not cut. */
export function overrunMessage(
  d: Dissector,
  file: string,
  f: { n: number; caplen: number; len: number },
): string | undefined {
  if (d.over === 0 || f.caplen < f.len) return undefined;
  const i = d.over - 1;
  const name = d.name(i);
  const what = name === 'ipv4' ? 'IPv4 total length' : name === 'ipv6' ? 'IPv6 payload length' : 'UDP length';
  const claimed = name === 'ipv6' ? d.overLen - 40 : d.overLen;
  const left = name === 'ipv6' ? d.overAvail - 40 : d.overAvail;
  return escapeControl(
    `${file}: frame ${f.n}: ${what} ${claimed} exceeds the ${left} bytes the frame holds (layer ${i + 1}, ${name}); the frame is not cut by the snap length`,
  );
}

/** Prints one matched record as a text line or a JSON Lines object. */
export function printRecord(
  out: LineOutput,
  r: RawRecord,
  st: FileState,
  d: Dissector,
  decoded: boolean,
  o: { json?: boolean; absTime?: boolean },
): void {
  const pcapng = st.info?.format === 'pcapng';
  if (o.json) {
    const jf: Omit<InspectFrame, 'layers'> = {
      n: r.n,
      tsString: formatTs(r.sec, r.frac, r.fracDigits),
      len: r.len,
      caplen: r.caplen,
    };
    if (st.several) jf.file = st.file;
    if (pcapng) jf.if = r.ifName ?? r.ifIndex;
    out.line(frameJsonWith(jf, decoded ? d.json() : UNKNOWN_LINKTYPE_JSON(r.caplen)));
    return;
  }
  const layers: InspectLayer[] = decoded ? d.layers() : [{ name: 'raw', len: r.caplen, reason: 'unknown-linktype' }];
  if (st.header) {
    out.line(`==> ${escapeControl(st.file)} <==`);
    st.header = false;
  }
  const t = o.absTime ? formatTs(r.sec, r.frac, r.fracDigits) : st.rel(r);
  const iface = pcapng ? ` @${r.ifName !== undefined ? escapeControl(r.ifName) : r.ifIndex}` : '';
  const cut =
    r.caplen === r.len
      ? ''
      : r.caplen < r.len
        ? ` [${r.caplen} of ${r.len} bytes captured]`
        : ` [captured length ${r.caplen} > original length ${r.len}]`;
  out.line(`${r.n} ${t}${iface} ${layersText(layers)}${cut}`);
}
