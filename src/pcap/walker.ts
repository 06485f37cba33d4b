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
  LINKTYPE_ETHERNET,
  DECODED_LINKTYPES,
  MAX_CAPLEN,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  hex32,
  type CaptureFormat,
} from './format.js';
import { walkPcapng } from './pcapng-walker.js';
import type { Iface, WalkerState } from './walker-state.js';
import { carryFraction } from './timestamp.js';
import type { CaptureInfo, RawRecord } from './types.js';
import { WarningSink, checkRecord, linktypeMessage, truncationMessage } from './warnings.js';

export { formatTs, tsNumber } from './timestamp.js';

export class CaptureWalker implements WalkerState {
  readonly warnings: WarningSink;
  /** Minimum number of bytes from the current position the walker needs to make progress. */
  need = 4;
  /** Set once a corrupt record stops the walk (the rest of the file is skipped). */
  stopped = false;
  info: CaptureInfo | undefined;
  /** Frames (records) seen, including skipped corrupt ones. */
  n = 0;
  private state: 'magic' | 'pcap' | 'pcapng' = 'magic';
  // The fields below are shared with pcapng-walker.ts (walker internals, not API).
  le = true;
  private nsec = false;
  private snapMax = MAX_CAPLEN;
  private pcapIface: Iface | undefined;
  ifaces: Iface[] = [];
  sectionSeen = false;
  readonly rec: RawRecord = {
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
    return walkPcapng(this, buf, dv, p, end);
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
    const decoded = DECODED_LINKTYPES.has(iface.linktype);
    const unit = this.nsec ? 1e9 : 1e6;
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
        if (caplen === 0 || caplen !== len) {
          this.n = n;
          checkRecord(this.warnings, n, caplen, len);
        }
        if (rec.frac >= unit) this.warnings.warn('bad-timestamp', n, carryFraction(rec, unit));
        if (!decoded && !iface.warnedLinktype) {
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
    this.warnings.warn('unknown-linktype', n, linktypeMessage(iface.linktype, iface.name));
  }

  stop(n: number, message: string): void {
    this.stopped = true;
    this.warnings.warn('corrupt-record', n, message);
  }

  emit(buf: Uint8Array, iface: Iface, ifid: number, n: number, off: number, caplen: number, len: number): void {
    const rec = this.rec;
    rec.buf = buf;
    rec.n = n;
    rec.off = off;
    rec.caplen = caplen;
    rec.len = len;
    rec.linktype = iface.linktype;
    rec.ifIndex = ifid;
    rec.ifName = iface.name;
    if (caplen === 0 || caplen !== len) checkRecord(this.warnings, n, caplen, len);
    if (!iface.warnedLinktype && !DECODED_LINKTYPES.has(iface.linktype)) this.warnLinktype(iface, n);
    this.onRecord(rec);
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
