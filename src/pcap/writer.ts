// Capture writers: classic pcap (usec or nsec) and pcapng (several named interfaces, packet and
// section comments). Encoding is synchronous into an internal buffer that is flushed to a Writable
// in large pieces; `drain()` gives back-pressure to producers (capture/traffic code).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { FabricError } from '../errors/fabric-error.js';
import {
  LINKTYPE_ETHERNET,
  MAX_CAPLEN,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAPNG_BOM,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_SHB,
} from './format.js';

export interface WritePacket {
  data: Uint8Array;
  /** Seconds since the epoch (float); rounded to the file precision. Default 0. */
  ts?: number;
  /** Exact nanoseconds since the epoch; wins over `ts`. */
  tsNs?: bigint;
  /** Original length when the frame was cut; default data.length. */
  len?: number;
  /** pcapng interface index (default 0). */
  ifIndex?: number;
  /** pcapng packet comment (opt_comment). */
  comment?: string;
}

export type TsPrecision = 'us' | 'ns';

export interface PcapWriterOptions {
  linktype?: number;
  snaplen?: number;
  precision?: TsPrecision;
  /** Write big-endian (for tests; readers must handle both). Default little-endian. */
  bigEndian?: boolean;
}

export interface PcapngInterface {
  name?: string;
  description?: string;
  linktype?: number;
  snaplen?: number;
  precision?: TsPrecision;
}

export interface PcapngWriterOptions {
  /** Interfaces declared after the section header; more can follow with CaptureWriter.addInterface. */
  interfaces: PcapngInterface[];
  sectionComment?: string;
  /** shb_userappl; default "fabric". */
  application?: string;
  bigEndian?: boolean;
}

const enc = new TextEncoder();

/** Splits a timestamp into (seconds, fraction) in units of 10^-digits. */
function splitTs(p: WritePacket, digits: 6 | 9): [number, number] {
  const unit = digits === 9 ? 1_000_000_000 : 1_000_000;
  if (p.tsNs !== undefined) {
    const sec = p.tsNs / 1_000_000_000n;
    const ns = Number(p.tsNs % 1_000_000_000n);
    return [Number(sec), digits === 9 ? ns : Math.floor(ns / 1000)];
  }
  const ts = p.ts ?? 0;
  let sec = Math.floor(ts);
  let frac = Math.round((ts - sec) * unit);
  if (frac >= unit) {
    sec++;
    frac -= unit;
  }
  return [sec, frac];
}

/** Growable little-endian byte builder. */
class Bytes {
  constructor(readonly le = true) {}
  buf = new Uint8Array(1 << 12);
  dv = new DataView(this.buf.buffer);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.len, v, this.le);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.len, v >>> 0, this.le);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  pad4(): void {
    const n = (4 - (this.len % 4)) % 4;
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}

function options(b: Bytes, opts: [number, Uint8Array][]): void {
  if (!opts.length) return;
  for (const [code, v] of opts) {
    if (v.length > 0xffff)
      throw new FabricError('E_CAPTURE_WRITE', `pcapng option ${code} is too long (${v.length} bytes)`);
    b.u16(code);
    b.u16(v.length);
    b.bytes(v);
    b.pad4();
  }
  b.u16(0);
  b.u16(0);
}

/** A pcapng block: type, total length, body, total length. */
function block(b: Bytes, type: number, body: (b: Bytes) => void): void {
  const start = b.len;
  b.u32(type);
  b.u32(0);
  body(b);
  b.pad4();
  const total = b.len - start + 4;
  b.u32(total);
  b.dv.setUint32(start + 4, total, b.le);
}

/** Encoder for one file format: a header, then one record per packet. */
interface Encoder {
  le: boolean;
  header(b: Bytes): void;
  packet(b: Bytes, p: WritePacket): void;
  /** pcapng only: declares one more interface (an IDB in the stream); returns its index. */
  addInterface?(b: Bytes, i: PcapngInterface): number;
}

function checkData(p: WritePacket, snaplen: number): number {
  const caplen = Math.min(p.data.length, snaplen);
  if (caplen > MAX_CAPLEN)
    throw new FabricError('E_CAPTURE_WRITE', `frame of ${caplen} bytes exceeds the maximum of ${MAX_CAPLEN}`);
  return caplen;
}

function pcapEncoder(o: PcapWriterOptions): Encoder {
  const digits = o.precision === 'ns' ? 9 : 6;
  const snaplen = o.snaplen ?? MAX_CAPLEN;
  return {
    le: !o.bigEndian,
    header(b) {
      b.u32(digits === 9 ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
      b.u16(2);
      b.u16(4);
      b.u32(0);
      b.u32(0);
      b.u32(snaplen);
      b.u32(o.linktype ?? LINKTYPE_ETHERNET);
    },
    packet(b, p) {
      const caplen = checkData(p, snaplen);
      const [sec, frac] = splitTs(p, digits);
      b.u32(sec);
      b.u32(frac);
      b.u32(caplen);
      b.u32(p.len ?? p.data.length);
      b.bytes(caplen === p.data.length ? p.data : p.data.subarray(0, caplen));
    },
  };
}

interface IfaceOut extends PcapngInterface {
  snaplen: number;
  digits: 6 | 9;
}

function ifaceOut(i: PcapngInterface): IfaceOut {
  return { ...i, snaplen: i.snaplen ?? MAX_CAPLEN, digits: i.precision === 'ns' ? 9 : 6 };
}

/** An Interface Description Block: link type, snaplen, if_name, if_description, if_tsresol. */
function idb(b: Bytes, i: IfaceOut): void {
  block(b, PCAPNG_IDB, (b) => {
    b.u16(i.linktype ?? LINKTYPE_ETHERNET);
    b.u16(0);
    b.u32(i.snaplen);
    const opts: [number, Uint8Array][] = [];
    if (i.name !== undefined) opts.push([2, enc.encode(i.name)]);
    if (i.description !== undefined) opts.push([3, enc.encode(i.description)]);
    if (i.digits === 9) opts.push([9, Uint8Array.of(9)]);
    options(b, opts);
  });
}

function pcapngEncoder(o: PcapngWriterOptions, dynamic = false): Encoder {
  if (!o.interfaces.length && !dynamic)
    throw new FabricError('E_CAPTURE_WRITE', 'a pcapng file needs at least one interface');
  const ifs = o.interfaces.map(ifaceOut);
  return {
    addInterface(b, i) {
      const out = ifaceOut(i);
      ifs.push(out);
      idb(b, out);
      return ifs.length - 1;
    },
    le: !o.bigEndian,
    header(b) {
      block(b, PCAPNG_SHB, (b) => {
        b.u32(PCAPNG_BOM);
        b.u16(1);
        b.u16(0);
        b.u32(0xffffffff);
        b.u32(0xffffffff); // section length unknown
        const opts: [number, Uint8Array][] = [];
        if (o.sectionComment !== undefined) opts.push([1, enc.encode(o.sectionComment)]);
        opts.push([4, enc.encode(o.application ?? 'fabric')]);
        options(b, opts);
      });
      for (const i of ifs) idb(b, i);
    },
    packet(b, p) {
      const ifIndex = p.ifIndex ?? 0;
      const i = ifs[ifIndex];
      if (!i)
        throw new FabricError(
          'E_CAPTURE_WRITE',
          `packet for interface ${ifIndex}, but the file declares ${ifs.length}`,
        );
      const caplen = checkData(p, i.snaplen);
      const [sec, frac] = splitTs(p, i.digits);
      const t = BigInt(sec) * (i.digits === 9 ? 1_000_000_000n : 1_000_000n) + BigInt(frac);
      block(b, PCAPNG_EPB, (b) => {
        b.u32(ifIndex);
        b.u32(Number(t >> 32n));
        b.u32(Number(t & 0xffffffffn));
        b.u32(caplen);
        b.u32(p.len ?? p.data.length);
        b.bytes(caplen === p.data.length ? p.data : p.data.subarray(0, caplen));
        b.pad4();
        if (p.comment !== undefined) options(b, [[1, enc.encode(p.comment)]]);
      });
    },
  };
}

const FLUSH_AT = 1 << 20;

/** Streaming writer over a Writable. Call `write` per packet, `await drain()` now and then, `await close()`. */
export class CaptureWriter {
  private readonly b: Bytes;
  private closed = false;
  packets = 0;
  constructor(
    private readonly out: Writable,
    private readonly encoder: Encoder,
    private readonly ownsStream: boolean,
  ) {
    this.b = new Bytes(encoder.le);
    encoder.header(this.b);
  }
  /**
   * pcapng: declares another interface (its IDB is written now, before the packets that use it),
   * e.g. as capture files are merged one by one. Returns its index for WritePacket.ifIndex.
   */
  addInterface(i: PcapngInterface): number {
    if (!this.encoder.addInterface)
      throw new FabricError('E_CAPTURE_WRITE', 'a classic pcap file has one link type and no interfaces');
    if (this.closed) throw new FabricError('E_CAPTURE_WRITE', 'write after close');
    return this.encoder.addInterface(this.b, i);
  }
  /** Encodes one packet. Returns false when the caller should `await drain()` before writing more. */
  write(p: WritePacket): boolean {
    if (this.closed) throw new FabricError('E_CAPTURE_WRITE', 'write after close');
    this.encoder.packet(this.b, p);
    this.packets++;
    if (this.b.len >= FLUSH_AT) return this.flush();
    return true;
  }
  private flush(): boolean {
    if (this.b.len === 0) return !this.out.writableNeedDrain;
    return this.out.write(this.b.take());
  }
  /** Flushes the buffer and waits until the stream accepts more. */
  async drain(): Promise<void> {
    if (!this.flush()) await once(this.out, 'drain');
  }
  /** Flushes and ends the stream (when the writer opened it); resolves once the data is written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    if (this.ownsStream) {
      this.out.end();
      await once(this.out, 'finish');
    }
  }
}

function target(t: string | Writable): [Writable, boolean] {
  return typeof t === 'string' ? [createWriteStream(t), true] : [t, false];
}

export function createPcapWriter(t: string | Writable, o: PcapWriterOptions = {}): CaptureWriter {
  const [out, owns] = target(t);
  return new CaptureWriter(out, pcapEncoder(o), owns);
}

/** A pcapng writer; with `interfaces: []` the interfaces are declared later with addInterface. */
export function createPcapngWriter(t: string | Writable, o: PcapngWriterOptions): CaptureWriter {
  const [out, owns] = target(t);
  return new CaptureWriter(out, pcapngEncoder(o, true), owns);
}

function encodeAll(e: Encoder, packets: Iterable<WritePacket>): Uint8Array {
  const b = new Bytes(e.le);
  e.header(b);
  for (const p of packets) e.packet(b, p);
  return b.take();
}

/** A whole classic pcap file in memory (tests, fixtures). */
export function encodePcap(packets: Iterable<WritePacket>, o: PcapWriterOptions = {}): Uint8Array {
  return encodeAll(pcapEncoder(o), packets);
}

/** A whole pcapng file in memory (tests, fixtures). */
export function encodePcapng(packets: Iterable<WritePacket>, o: PcapngWriterOptions): Uint8Array {
  return encodeAll(pcapngEncoder(o), packets);
}
