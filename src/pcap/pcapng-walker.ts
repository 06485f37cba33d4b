// The pcapng half of the record walker: section, interface and packet blocks (EPB, SPB, the
// obsolete OPB), several interfaces and sections, both byte orders. Functions over the walker's
// state, so the hot pcap loop and this block loop share one RawRecord and one warning sink.
import { FabricError } from '../errors/fabric-error.js';
import {
  PCAPNG_SHB,
  PCAPNG_BOM,
  PCAPNG_IDB,
  PCAPNG_EPB,
  PCAPNG_SPB,
  PCAPNG_OPB,
  MAX_CAPLEN,
  MAX_BLOCK_LEN,
  hex32,
} from './format.js';
import { setPcapngTs } from './timestamp.js';
import type { CaptureInfo } from './types.js';
import type { Iface, WalkerState } from './walker-state.js';

const utf8 = new TextDecoder('utf-8');
function optString(buf: Uint8Array, off: number, len: number): string {
  let e = off + len;
  while (e > off && buf[e - 1] === 0) e--;
  return utf8.decode(buf.subarray(off, e));
}

export function walkPcapng(w: WalkerState, buf: Uint8Array, dv: DataView, p: number, end: number): number {
  while (true) {
    if (end - p < 12) {
      w.need = 12;
      return p;
    }
    const type = dv.getUint32(p, w.le);
    if (type === PCAPNG_SHB) {
      const bom = dv.getUint32(p + 8, true);
      if (bom === PCAPNG_BOM) w.le = true;
      else if (bom === 0x4d3c2b1a) w.le = false;
      else {
        if (w.n === 0 && p === 0) {
          throw new FabricError('E_CAPTURE_FORMAT', `pcapng section header with a bad byte-order magic ${hex32(bom)}`, {
            location: w.file,
          });
        }
        w.stop(
          w.n + 1,
          `pcapng section header with a bad byte-order magic ${hex32(bom)}; the rest of the file is skipped`,
        );
        return end;
      }
    }
    const le = w.le;
    const blen = dv.getUint32(p + 4, le);
    if (blen < 12 || blen % 4 !== 0 || blen > MAX_BLOCK_LEN) {
      w.stop(w.n + 1, `corrupt pcapng block (type ${hex32(type)}, length ${blen}); the rest of the file is skipped`);
      return end;
    }
    if (end - p < blen) {
      w.need = blen;
      return p;
    }
    if (dv.getUint32(p + blen - 4, le) !== blen) {
      w.stop(
        w.n + 1,
        `corrupt pcapng block (type ${hex32(type)}: trailing length differs from ${blen}); the rest of the file is skipped`,
      );
      return end;
    }
    const body = p + 8;
    const bodyEnd = p + blen - 4;
    switch (type) {
      case PCAPNG_SHB:
        onShb(w, buf, dv, body, bodyEnd);
        break;
      case PCAPNG_IDB:
        onIdb(w, buf, dv, body, bodyEnd);
        break;
      case PCAPNG_EPB:
        onPacket(w, buf, dv, body, bodyEnd, dv.getUint32(body, le), body + 4, body + 20, true);
        break;
      case PCAPNG_OPB:
        onPacket(w, buf, dv, body, bodyEnd, dv.getUint16(body, le), body + 4, body + 20, true);
        break;
      case PCAPNG_SPB:
        onSimple(w, buf, dv, body, bodyEnd);
        break;
      default:
        break; // NRB, ISB, DSB, custom: not needed for decoding
    }
    p += blen;
  }
}

function options(
  w: WalkerState,
  dv: DataView,
  p: number,
  end: number,
  cb: (code: number, off: number, len: number) => void,
): void {
  while (end - p >= 4) {
    const code = dv.getUint16(p, w.le);
    const len = dv.getUint16(p + 2, w.le);
    if (code === 0) return;
    if (p + 4 + len > end) return; // malformed option list: ignore the rest of it
    cb(code, p + 4, len);
    p += 4 + ((len + 3) & ~3);
  }
}

function onShb(w: WalkerState, buf: Uint8Array, dv: DataView, body: number, end: number): void {
  w.sectionSeen = true;
  w.ifaces = [];
  const info = w.info!;
  info.interfaces = [];
  info.sectionComment = undefined;
  if (end - body < 16) return;
  options(w, dv, body + 16, end, (code, off, len) => {
    if (code === 1) info.sectionComment = optString(buf, off, len);
  });
}

function onIdb(w: WalkerState, buf: Uint8Array, dv: DataView, body: number, end: number): void {
  if (end - body < 8) return;
  const iface: Iface = {
    linktype: dv.getUint16(body, w.le),
    snaplen: dv.getUint32(body + 4, w.le),
    name: undefined,
    resol: 6,
    pow2: false,
    warnedLinktype: false,
  };
  options(w, dv, body + 8, end, (code, off, len) => {
    if (code === 2) iface.name = optString(buf, off, len);
    else if (code === 9 && len >= 1) {
      const v = buf[off]!;
      iface.pow2 = (v & 0x80) !== 0;
      iface.resol = v & 0x7f;
    }
  });
  w.ifaces.push(iface);
  const info = w.info!;
  const entry: CaptureInfo['interfaces'][number] = { linktype: iface.linktype, snaplen: iface.snaplen };
  if (iface.name !== undefined) entry.name = iface.name;
  info.interfaces.push(entry);
  if (info.linktype === -1) {
    info.linktype = iface.linktype;
    info.snaplen = iface.snaplen;
  }
}

function onPacket(
  w: WalkerState,
  buf: Uint8Array,
  dv: DataView,
  body: number,
  end: number,
  ifid: number,
  tsOff: number,
  dataOff: number,
  hasOpts: boolean,
): void {
  const le = w.le;
  const n = ++w.n;
  if (end - body < 20) {
    w.warnings.warn('corrupt-record', n, 'packet block too short; skipped');
    return;
  }
  const caplen = dv.getUint32(body + 12, le);
  const len = dv.getUint32(body + 16, le);
  const iface = w.ifaces[ifid];
  if (caplen > end - dataOff) {
    w.warnings.warn('corrupt-record', n, `caplen ${caplen} exceeds its packet block (${end - dataOff} bytes); skipped`);
    return;
  }
  if (caplen > MAX_CAPLEN || (iface && iface.snaplen > 0 && caplen > iface.snaplen)) {
    w.warnings.warn(
      'corrupt-record',
      n,
      `caplen ${caplen} exceeds the ${caplen > MAX_CAPLEN ? `maximum of ${MAX_CAPLEN}` : `snap length ${iface!.snaplen}`}; skipped`,
    );
    return;
  }
  if (!iface) {
    w.warnings.warn(
      'unknown-interface',
      n,
      `packet on interface ${ifid}, which has no interface description block; skipped`,
    );
    return;
  }
  const rec = w.rec;
  rec.comment = undefined;
  if (hasOpts) {
    const optStart = dataOff + ((caplen + 3) & ~3);
    if (optStart < end) {
      options(w, dv, optStart, end, (code, off, olen) => {
        if (code === 1) rec.comment = optString(buf, off, olen);
      });
    }
  }
  setPcapngTs(rec, iface, dv.getUint32(tsOff, le), dv.getUint32(tsOff + 4, le));
  w.emit(buf, iface, ifid, n, dataOff, caplen, len);
}

function onSimple(w: WalkerState, buf: Uint8Array, dv: DataView, body: number, end: number): void {
  const n = ++w.n;
  const iface = w.ifaces[0];
  if (!iface) {
    w.warnings.warn('unknown-interface', n, 'simple packet block before any interface description block; skipped');
    return;
  }
  if (end - body < 4) {
    w.warnings.warn('corrupt-record', n, 'simple packet block too short; skipped');
    return;
  }
  const len = dv.getUint32(body, w.le);
  let caplen = Math.min(len, end - body - 4);
  if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
  if (caplen > MAX_CAPLEN) {
    w.warnings.warn('corrupt-record', n, `caplen ${caplen} exceeds the maximum of ${MAX_CAPLEN}; skipped`);
    return;
  }
  const rec = w.rec;
  rec.comment = undefined;
  rec.sec = 0;
  rec.frac = 0;
  rec.fracDigits = 0; // SPBs carry no timestamp
  w.emit(buf, iface, 0, n, body + 4, caplen, len);
}
