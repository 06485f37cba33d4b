// The fast record walker: a push parser over byte chunks for classic pcap (usec/nsec, both byte
// orders) and pcapng (SHB/IDB/EPB/SPB/OPB, several interfaces and sections, both byte orders).
// It walks records with a DataView and calls back with one reused RawRecord per frame, so it
// allocates nothing per frame. The caller owns buffering: it feeds bytes, gets back how far the
// walker consumed, and must keep at least `need` bytes available for the walker to progress.
import { FabricError } from '../errors/fabric-error.js';
import {
  PCAP_MAGIC_USEC,
  PCAP_MAGIC_NSEC,
  PCAPNG_SHB,
  PCAPNG_BOM,
  PCAPNG_IDB,
  PCAPNG_EPB,
  PCAPNG_SPB,
  PCAPNG_OPB,
  LINKTYPE_ETHERNET,
  MAX_CAPLEN,
  MAX_BLOCK_LEN,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  hex32,
  linktypeName,
  type CaptureFormat,
} from './format.js';
import type { CaptureInfo, RawRecord } from './types.js';
import { WarningSink, checkRecord, truncationMessage } from './warnings.js';

interface Iface {
  linktype: number;
  snaplen: number;
  name: string | undefined;
  /** Timestamp units: 10^-digits (pow2 false) or 2^-digits (pow2 true). */
  resol: number;
  pow2: boolean;
  warnedLinktype: boolean;
}

const utf8 = new TextDecoder('utf-8');
function optString(buf: Uint8Array, off: number, len: number): string {
  let e = off + len;
  while (e > off && buf[e - 1] === 0) e--;
  return utf8.decode(buf.subarray(off, e));
}

const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export function formatTs(sec: number, frac: number, digits: number): string {
  if (digits === 0) return String(sec);
  return `${sec}.${String(frac).padStart(digits, '0')}`;
}
export function tsNumber(sec: number, frac: number, digits: number): number {
  return digits === 0 ? sec : sec + frac / (POW10[digits] ?? 10 ** digits);
}

export class CaptureWalker {
  readonly warnings: WarningSink;
  /** Minimum number of bytes from the current position the walker needs to make progress. */
  need = 4;
  /** Set once a corrupt record stops the walk (the rest of the file is skipped). */
  stopped = false;
  info: CaptureInfo | undefined;
  /** Frames (records) seen, including skipped corrupt ones. */
  n = 0;
  private state: 'magic' | 'pcap' | 'pcapng' = 'magic';
  private le = true;
  private nsec = false;
  private snapMax = MAX_CAPLEN;
  private pcapIface: Iface | undefined;
  private ifaces: Iface[] = [];
  private sectionSeen = false;
  private readonly rec: RawRecord = {
    n: 0,
    buf: new Uint8Array(0),
    off: 0,
    caplen: 0,
    len: 0,
    sec: 0,
    frac: 0,
    fracDigits: 6,
    linktype: LINKTYPE_ETHERNET,
    ifIndex: 0,
    ifName: undefined,
    comment: undefined,
  };

  constructor(
    readonly file: string,
    private readonly onRecord: (r: RawRecord) => void,
    warnings: WarningSink,
  ) {
    this.warnings = warnings;
  }

  get format(): CaptureFormat | undefined {
    return this.info?.format;
  }

  /** Processes every complete unit in buf[start, end); returns the offset of the first unconsumed byte. */
  push(buf: Uint8Array, start: number, end: number): number {
    if (this.stopped) return end;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let p = start;
    if (this.state === 'magic') {
      if (end - p < 4) {
        this.need = 4;
        return p;
      }
      const m = dv.getUint32(p, true);
      if (m === PCAPNG_SHB) {
        this.state = 'pcapng';
        this.info = { file: this.file, format: 'pcapng', linktype: -1, snaplen: 0, interfaces: [] };
      } else {
        const be = dv.getUint32(p, false);
        if (m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC) this.le = true;
        else if (be === PCAP_MAGIC_USEC || be === PCAP_MAGIC_NSEC) this.le = false;
        else {
          throw new FabricError('E_CAPTURE_FORMAT', `not a pcap or pcapng file (magic ${hex32(be)})`, {
            location: this.file,
            hint: 'expected a libpcap (a1b2c3d4 / a1b23c4d) or pcapng (0a0d0d0a) capture file',
          });
        }
        if (end - p < PCAP_FILE_HEADER_LEN) {
          this.need = PCAP_FILE_HEADER_LEN;
          return p;
        }
        const magic = dv.getUint32(p, this.le);
        this.nsec = magic === PCAP_MAGIC_NSEC;
        const snaplen = dv.getUint32(p + 16, this.le);
        // Some writers put only the linktype in the low 16 bits (FCS bits above).
        const linktype = dv.getUint32(p + 20, this.le) & 0x0fffffff;
        this.snapMax = snaplen > 0 && snaplen < MAX_CAPLEN ? snaplen : MAX_CAPLEN;
        this.pcapIface = {
          linktype,
          snaplen,
          name: undefined,
          resol: this.nsec ? 9 : 6,
          pow2: false,
          warnedLinktype: false,
        };
        this.info = {
          file: this.file,
          format: this.nsec ? 'pcap-nsec' : 'pcap',
          linktype,
          snaplen,
          interfaces: [{ linktype, snaplen }],
        };
        this.state = 'pcap';
        p += PCAP_FILE_HEADER_LEN;
      }
    }
    if (this.state === 'pcap') return this.walkPcap(buf, dv, p, end);
    return this.walkPcapng(buf, dv, p, end);
  }

  private walkPcap(buf: Uint8Array, dv: DataView, p: number, end: number): number {
    const le = this.le;
    const rec = this.rec;
    const iface = this.pcapIface!;
    const snapMax = this.snapMax;
    rec.buf = buf;
    rec.fracDigits = this.nsec ? 9 : 6;
    rec.linktype = iface.linktype;
    rec.ifIndex = 0;
    rec.ifName = undefined;
    rec.comment = undefined;
    const ethernet = iface.linktype === LINKTYPE_ETHERNET;
    const onRecord = this.onRecord;
    // Hot loop: locals only; the frame counter is written back on exit.
    let n = this.n;
    try {
      while (true) {
        if (end - p < PCAP_RECORD_HEADER_LEN) {
          this.need = PCAP_RECORD_HEADER_LEN;
          return p;
        }
        const caplen = dv.getUint32(p + 8, le);
        if (caplen > snapMax) {
          n++;
          this.stop(
            n,
            `corrupt record header: caplen ${caplen} exceeds the ${caplen > MAX_CAPLEN ? `maximum of ${MAX_CAPLEN}` : `snap length ${snapMax}`}; the rest of the file is skipped`,
          );
          return end;
        }
        if (end - p < PCAP_RECORD_HEADER_LEN + caplen) {
          this.need = PCAP_RECORD_HEADER_LEN + caplen;
          return p;
        }
        n++;
        const len = dv.getUint32(p + 12, le);
        rec.n = n;
        rec.sec = dv.getUint32(p, le);
        rec.frac = dv.getUint32(p + 4, le);
        rec.off = p + PCAP_RECORD_HEADER_LEN;
        rec.caplen = caplen;
        rec.len = len;
        if (caplen === 0 || caplen < len) {
          this.n = n;
          checkRecord(this.warnings, n, caplen, len);
        }
        if (!ethernet && !iface.warnedLinktype) {
          this.n = n;
          this.warnLinktype(iface, n);
        }
        onRecord(rec);
        p += PCAP_RECORD_HEADER_LEN + caplen;
      }
    } finally {
      this.n = n;
    }
  }

  private warnLinktype(iface: Iface, n: number): void {
    iface.warnedLinktype = true;
    this.warnings.warn(
      'unknown-linktype',
      n,
      `linktype ${iface.linktype} (${linktypeName(iface.linktype)}) is not decoded (only Ethernet, linktype 1); frames${iface.name ? ` on ${iface.name}` : ''} are reported as raw`,
    );
  }

  private stop(n: number, message: string): void {
    this.stopped = true;
    this.warnings.warn('corrupt-record', n, message);
  }

  private walkPcapng(buf: Uint8Array, dv: DataView, p: number, end: number): number {
    while (true) {
      if (end - p < 12) {
        this.need = 12;
        return p;
      }
      const type = dv.getUint32(p, this.le);
      if (type === PCAPNG_SHB) {
        const bom = dv.getUint32(p + 8, true);
        if (bom === PCAPNG_BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          if (this.n === 0 && p === 0) {
            throw new FabricError(
              'E_CAPTURE_FORMAT',
              `pcapng section header with a bad byte-order magic ${hex32(bom)}`,
              { location: this.file },
            );
          }
          this.stop(
            this.n + 1,
            `pcapng section header with a bad byte-order magic ${hex32(bom)}; the rest of the file is skipped`,
          );
          return end;
        }
      }
      const le = this.le;
      const blen = dv.getUint32(p + 4, le);
      if (blen < 12 || blen % 4 !== 0 || blen > MAX_BLOCK_LEN) {
        this.stop(
          this.n + 1,
          `corrupt pcapng block (type ${hex32(type)}, length ${blen}); the rest of the file is skipped`,
        );
        return end;
      }
      if (end - p < blen) {
        this.need = blen;
        return p;
      }
      if (dv.getUint32(p + blen - 4, le) !== blen) {
        this.stop(
          this.n + 1,
          `corrupt pcapng block (type ${hex32(type)}: trailing length differs from ${blen}); the rest of the file is skipped`,
        );
        return end;
      }
      const body = p + 8;
      const bodyEnd = p + blen - 4;
      switch (type) {
        case PCAPNG_SHB:
          this.onShb(buf, dv, body, bodyEnd);
          break;
        case PCAPNG_IDB:
          this.onIdb(buf, dv, body, bodyEnd);
          break;
        case PCAPNG_EPB:
          this.onPacket(buf, dv, body, bodyEnd, dv.getUint32(body, le), body + 4, body + 20, true);
          break;
        case PCAPNG_OPB:
          this.onPacket(buf, dv, body, bodyEnd, dv.getUint16(body, le), body + 4, body + 20, true);
          break;
        case PCAPNG_SPB:
          this.onSimple(buf, dv, body, bodyEnd);
          break;
        default:
          break; // NRB, ISB, DSB, custom: not needed for decoding
      }
      p += blen;
    }
  }

  private options(dv: DataView, p: number, end: number, cb: (code: number, off: number, len: number) => void): void {
    while (end - p >= 4) {
      const code = dv.getUint16(p, this.le);
      const len = dv.getUint16(p + 2, this.le);
      if (code === 0) return;
      if (p + 4 + len > end) return; // malformed option list: ignore the rest of it
      cb(code, p + 4, len);
      p += 4 + ((len + 3) & ~3);
    }
  }

  private onShb(buf: Uint8Array, dv: DataView, body: number, end: number): void {
    this.sectionSeen = true;
    this.ifaces = [];
    const info = this.info!;
    info.interfaces = [];
    info.sectionComment = undefined;
    if (end - body < 16) return;
    this.options(dv, body + 16, end, (code, off, len) => {
      if (code === 1) info.sectionComment = optString(buf, off, len);
    });
  }

  private onIdb(buf: Uint8Array, dv: DataView, body: number, end: number): void {
    if (end - body < 8) return;
    const iface: Iface = {
      linktype: dv.getUint16(body, this.le),
      snaplen: dv.getUint32(body + 4, this.le),
      name: undefined,
      resol: 6,
      pow2: false,
      warnedLinktype: false,
    };
    this.options(dv, body + 8, end, (code, off, len) => {
      if (code === 2) iface.name = optString(buf, off, len);
      else if (code === 9 && len >= 1) {
        const v = buf[off]!;
        iface.pow2 = (v & 0x80) !== 0;
        iface.resol = v & 0x7f;
      }
    });
    this.ifaces.push(iface);
    const info = this.info!;
    const entry: CaptureInfo['interfaces'][number] = { linktype: iface.linktype, snaplen: iface.snaplen };
    if (iface.name !== undefined) entry.name = iface.name;
    info.interfaces.push(entry);
    if (info.linktype === -1) {
      info.linktype = iface.linktype;
      info.snaplen = iface.snaplen;
    }
  }

  private onPacket(
    buf: Uint8Array,
    dv: DataView,
    body: number,
    end: number,
    ifid: number,
    tsOff: number,
    dataOff: number,
    hasOpts: boolean,
  ): void {
    const le = this.le;
    const n = ++this.n;
    if (end - body < 20) {
      this.warnings.warn('corrupt-record', n, 'packet block too short; skipped');
      return;
    }
    const caplen = dv.getUint32(body + 12, le);
    const len = dv.getUint32(body + 16, le);
    const iface = this.ifaces[ifid];
    if (caplen > end - dataOff) {
      this.warnings.warn(
        'corrupt-record',
        n,
        `caplen ${caplen} exceeds its packet block (${end - dataOff} bytes); skipped`,
      );
      return;
    }
    if (caplen > MAX_CAPLEN || (iface && iface.snaplen > 0 && caplen > iface.snaplen)) {
      this.warnings.warn(
        'corrupt-record',
        n,
        `caplen ${caplen} exceeds the ${caplen > MAX_CAPLEN ? `maximum of ${MAX_CAPLEN}` : `snap length ${iface!.snaplen}`}; skipped`,
      );
      return;
    }
    if (!iface) {
      this.warnings.warn(
        'unknown-interface',
        n,
        `packet on interface ${ifid}, which has no interface description block; skipped`,
      );
      return;
    }
    const rec = this.rec;
    rec.comment = undefined;
    if (hasOpts) {
      const optStart = dataOff + ((caplen + 3) & ~3);
      if (optStart < end) {
        this.options(dv, optStart, end, (code, off, olen) => {
          if (code === 1) rec.comment = optString(buf, off, olen);
        });
      }
    }
    this.setTs(iface, dv.getUint32(tsOff, le), dv.getUint32(tsOff + 4, le));
    this.emit(buf, iface, ifid, n, dataOff, caplen, len);
  }

  private onSimple(buf: Uint8Array, dv: DataView, body: number, end: number): void {
    const n = ++this.n;
    const iface = this.ifaces[0];
    if (!iface) {
      this.warnings.warn('unknown-interface', n, 'simple packet block before any interface description block; skipped');
      return;
    }
    if (end - body < 4) {
      this.warnings.warn('corrupt-record', n, 'simple packet block too short; skipped');
      return;
    }
    const len = dv.getUint32(body, this.le);
    let caplen = Math.min(len, end - body - 4);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    if (caplen > MAX_CAPLEN) {
      this.warnings.warn('corrupt-record', n, `caplen ${caplen} exceeds the maximum of ${MAX_CAPLEN}; skipped`);
      return;
    }
    const rec = this.rec;
    rec.comment = undefined;
    rec.sec = 0;
    rec.frac = 0;
    rec.fracDigits = 0; // SPBs carry no timestamp
    this.emit(buf, iface, 0, n, body + 4, caplen, len);
  }

  private emit(buf: Uint8Array, iface: Iface, ifid: number, n: number, off: number, caplen: number, len: number): void {
    const rec = this.rec;
    rec.buf = buf;
    rec.n = n;
    rec.off = off;
    rec.caplen = caplen;
    rec.len = len;
    rec.linktype = iface.linktype;
    rec.ifIndex = ifid;
    rec.ifName = iface.name;
    if (caplen === 0 || caplen < len) checkRecord(this.warnings, n, caplen, len);
    if (iface.linktype !== LINKTYPE_ETHERNET && !iface.warnedLinktype) this.warnLinktype(iface, n);
    this.onRecord(rec);
  }

  /** 64-bit pcapng timestamp → integer seconds + decimal fraction, exactly (BigInt beyond 2^53). */
  private setTs(iface: Iface, hi: number, lo: number): void {
    const rec = this.rec;
    if (!iface.pow2 && iface.resol <= 9) {
      const units = POW10[iface.resol]!;
      rec.fracDigits = iface.resol;
      if (hi < 0x200000) {
        const t = hi * 4294967296 + lo;
        let sec = Math.floor(t / units);
        let frac = t - sec * units;
        if (frac < 0) {
          sec--;
          frac += units;
        } else if (frac >= units) {
          sec++;
          frac -= units;
        }
        rec.sec = sec;
        rec.frac = frac;
        return;
      }
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      const u = BigInt(units);
      rec.sec = Number(t / u);
      rec.frac = Number(t % u);
      return;
    }
    // 2^-k units, or 10^-k with k > 9: express the fraction in nanoseconds.
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const u = iface.pow2 ? 1n << BigInt(iface.resol) : 10n ** BigInt(iface.resol);
    rec.sec = Number(t / u);
    rec.frac = Number(((t % u) * 1_000_000_000n) / u);
    rec.fracDigits = 9;
  }

  /**
   * End of input with `leftover` unconsumed bytes. Throws when the file could not be read at all
   * (empty, or ends inside the file header); otherwise records a truncated-file warning.
   */
  finish(leftover: number): void {
    if (this.stopped) {
      this.warnings.summarise();
      return;
    }
    if (this.state === 'magic' || (this.state === 'pcapng' && !this.sectionSeen)) {
      throw new FabricError(
        'E_CAPTURE_TRUNCATED',
        leftover === 0 ? 'empty file' : `file ends inside the file header (${leftover} bytes)`,
        { location: this.file },
      );
    }
    if (leftover > 0) {
      const next = this.n + 1;
      this.warnings.warn(
        'truncated-file',
        next,
        truncationMessage(
          next,
          this.state === 'pcap'
            ? leftover < PCAP_RECORD_HEADER_LEN
              ? `record header incomplete (${leftover} of ${PCAP_RECORD_HEADER_LEN} bytes)`
              : `record incomplete (${leftover - PCAP_RECORD_HEADER_LEN} of ${this.need - PCAP_RECORD_HEADER_LEN} captured bytes present)`
            : `block incomplete (${leftover} of ${this.need} bytes present)`,
        ),
      );
    }
    this.warnings.summarise();
  }
}
