// Per-file state and the printing of one record (text line or JSON Lines object), written as
// bytes straight into the output block from the reused record and dissector: numbers, addresses
// and the time are encoded from integers (no string per frame, no layer object). The text is
// exactly what format-text.ts / format-json.ts make from layer objects (unit tests compare them).
import { putAscii, putBytes, putPadded, putUint, asciiBytes, type Dissector } from '../decode/index.js';
import { escapeControl, formatTs, type CaptureInfo, type RawRecord } from '../pcap/index.js';
import { relTime } from './format-text.js';
import type { LineOutput } from './output.js';
import { layersTextInto, TEXT_BYTES_PER_LAYER } from './text-bytes.js';

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

  /** Writes the time since the file's first frame, as relTime prints it (same arithmetic, no strings). */
  relInto(u: Uint8Array, p: number, r: RawRecord): number {
    const d = r.fracDigits;
    if (d !== this.digits0)
      return putAscii(u, p, relTime(formatTs(r.sec, r.frac, d), formatTs(this.sec0, this.frac0, this.digits0)));
    const scale = POW10[d] ?? 10 ** d;
    // Seconds and fractions are subtracted separately: epoch seconds * 1e9 would exceed 2^53.
    let diff = (r.sec - this.sec0) * scale + (r.frac - this.frac0);
    if (diff < 0) {
      u[p++] = 45;
      diff = -diff;
    }
    const sec = Math.floor(diff / scale);
    p = putUint(u, p, sec);
    if (d === 0) return p;
    u[p++] = 46;
    return putPadded(u, p, diff - sec * scale, d);
  }

  /** The interface of a pcapng record: ` @name` (escaped) for text, its JSON value for --json. */
  iface(r: RawRecord): { text: string; json: string } {
    if (r.ifName !== this.ifName || r.ifIndex !== this.ifIndex || this.ifCache === undefined) {
      this.ifName = r.ifName;
      this.ifIndex = r.ifIndex;
      this.ifCache = {
        text: ` @${r.ifName !== undefined ? escapeControl(r.ifName) : r.ifIndex}`,
        json: JSON.stringify(r.ifName ?? r.ifIndex),
      };
    }
    return this.ifCache;
  }
  private ifName: string | undefined;
  private ifIndex = -1;
  private ifCache: { text: string; json: string } | undefined;

  /** The file name as a JSON string (for several files in --json). */
  fileJson(): string {
    if (this.fileJsonFor !== this.file) {
      this.fileJsonFor = this.file;
      this.fileJsonText = JSON.stringify(this.file);
    }
    return this.fileJsonText;
  }
  private fileJsonFor: string | undefined;
  private fileJsonText = '';
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

/** `sec.frac` at the file's precision (formatTs as bytes). */
function putTs(u: Uint8Array, p: number, r: RawRecord): number {
  p = putUint(u, p, r.sec);
  if (r.fracDigits === 0) return p;
  u[p++] = 46;
  return putPadded(u, p, r.frac, r.fracDigits);
}

/** Room for everything in a line but the layers and the strings (numbers, time, cut note). */
const LINE_FIXED = 192;
const J_N = asciiBytes('{"n":');
const J_TS = asciiBytes(',"ts":');
const J_LEN = asciiBytes(',"len":');
const J_CAPLEN = asciiBytes(',"caplen":');
const J_FILE = asciiBytes(',"file":');
const J_IF = asciiBytes(',"if":');
const J_LAYERS = asciiBytes(',"layers":');
const J_UNKNOWN_LINKTYPE = [asciiBytes('[{"name":"raw","len":'), asciiBytes(',"reason":"unknown-linktype"}]')] as const;

/** One JSON Lines object: keys n, ts, len, caplen?, file?, if?, layers (format-json.ts's order). */
function jsonRecord(out: LineOutput, r: RawRecord, st: FileState, d: Dissector, decoded: boolean): void {
  const file = st.several ? st.fileJson() : undefined;
  const iface = st.info?.format === 'pcapng' ? st.iface(r).json : undefined;
  out.reserve(LINE_FIXED + 3 * ((file?.length ?? 0) + (iface?.length ?? 0)) + (decoded ? d.jsonBytesMax() : 0));
  const u = out.buf;
  let p = putBytes(u, out.off, J_N);
  p = putUint(u, p, r.n);
  p = putBytes(u, p, J_TS);
  p = putTs(u, p, r);
  p = putBytes(u, p, J_LEN);
  p = putUint(u, p, r.len);
  if (r.caplen !== r.len) {
    p = putBytes(u, p, J_CAPLEN);
    p = putUint(u, p, r.caplen);
  }
  if (file !== undefined) {
    p = putBytes(u, p, J_FILE);
    p += u.write(file, p, 'utf8');
  }
  if (iface !== undefined) {
    p = putBytes(u, p, J_IF);
    p += u.write(iface, p, 'utf8');
  }
  p = putBytes(u, p, J_LAYERS);
  if (decoded) p = d.jsonInto(u, p);
  else {
    p = putBytes(u, p, J_UNKNOWN_LINKTYPE[0]);
    p = putUint(u, p, r.caplen);
    p = putBytes(u, p, J_UNKNOWN_LINKTYPE[1]);
  }
  u[p++] = 125;
  u[p++] = 10;
  out.off = p;
}

const T_CAPTURED = asciiBytes(' bytes captured]');
const T_UNKNOWN_LINKTYPE = asciiBytes(' (unknown-linktype)');

/** Prints one matched record as a text line or a JSON Lines object. */
export function printRecord(
  out: LineOutput,
  r: RawRecord,
  st: FileState,
  d: Dissector,
  decoded: boolean,
  o: { json?: boolean; absTime?: boolean },
): void {
  if (o.json) return jsonRecord(out, r, st, d, decoded);
  if (st.header) {
    out.line(`==> ${escapeControl(st.file)} <==`);
    st.header = false;
  }
  const iface = st.info?.format === 'pcapng' ? st.iface(r).text : undefined;
  out.reserve(LINE_FIXED + 3 * (iface?.length ?? 0) + (decoded ? d.count * TEXT_BYTES_PER_LAYER : 0));
  const u = out.buf;
  let p = putUint(u, out.off, r.n);
  u[p++] = 32;
  p = o.absTime ? putTs(u, p, r) : st.relInto(u, p, r);
  if (iface !== undefined) p += u.write(iface, p, 'utf8');
  u[p++] = 32;
  if (decoded) p = layersTextInto(d, u, p);
  else {
    p = putAscii(u, p, 'raw ');
    p = putUint(u, p, r.caplen);
    p = putBytes(u, p, T_UNKNOWN_LINKTYPE);
  }
  if (r.caplen < r.len) {
    p = putAscii(u, p, ' [');
    p = putUint(u, p, r.caplen);
    p = putAscii(u, p, ' of ');
    p = putUint(u, p, r.len);
    p = putBytes(u, p, T_CAPTURED);
  } else if (r.caplen > r.len) {
    p = putAscii(u, p, ' [captured length ');
    p = putUint(u, p, r.caplen);
    p = putAscii(u, p, ' > original length ');
    p = putUint(u, p, r.len);
    u[p++] = 93;
  }
  u[p++] = 10;
  out.off = p;
}
