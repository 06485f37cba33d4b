// Public vocabulary of the capture readers and writers.
import type { CaptureFormat } from './format.js';

/** One frame as yielded by `openCapture`. `data` is a private copy unless `reuseBuffers` was set. */
export interface CaptureFrame {
  /** 1-based frame number within the file (pcapng: counts packet blocks across sections). */
  n: number;
  /** Seconds since the epoch as a number (float64: ns files lose the last digits here; see tsString). */
  ts: number;
  /** Exact decimal timestamp at the file's precision, e.g. "1700000000.000120" or "...123456789". */
  tsString: string;
  /** Original (on-the-wire) length. */
  len: number;
  /** Captured length (= data.length). */
  caplen: number;
  linktype: number;
  /** pcapng interface index within its section; 0 for classic pcap. */
  ifIndex: number;
  /** pcapng if_name option, when the interface has one. */
  ifName?: string;
  /** pcapng opt_comment of the packet block, when present. */
  comment?: string;
  data: Uint8Array;
}

export type CaptureWarningCode =
  | 'truncated-file' // the file ends inside a record; the partial record is not yielded
  | 'snaplen-cut' // caplen < len: the frame was cut by the snap length
  | 'zero-length' // a record with caplen 0
  | 'caplen-over-len' // captured length greater than the original length (tshark: frame.len < frame.cap_len)
  | 'bad-timestamp' // classic pcap fraction of a second out of range (usec >= 1e6, nsec >= 1e9)
  | 'unknown-linktype' // a link type the decoder does not dissect: frames are reported as raw
  | 'corrupt-record' // impossible record header (caplen > snaplen or > 262144, bad block length)
  | 'unknown-interface'; // pcapng packet block naming an interface with no IDB

export interface CaptureWarning {
  code: CaptureWarningCode;
  file: string;
  /** Frame the warning is about (1-based), when it is about one. */
  frame?: number;
  message: string;
}

export type CaptureEngine = 'auto' | 'fast' | 'pcap-parser';

export interface OpenCaptureOptions {
  /**
   * auto (default): files and pcapng use the fast chunked reader; a classic pcap on stdin goes through
   * pcap-parser (the card's streaming parser). 'pcap-parser' forces it for classic pcap (files too).
   */
  engine?: CaptureEngine;
  /** Called for every warning as it happens (in addition to the capped `warnings` list). */
  onWarning?: (w: CaptureWarning) => void;
  /** Yield views into the read buffer instead of copies (valid only until the next frame is pulled). */
  reuseBuffers?: boolean;
  /** Read chunk size for the fast path (bytes). */
  chunkSize?: number;
  /** Name used in messages for stdin ('-'). */
  displayName?: string;
}

export interface CaptureInfo {
  file: string;
  format: CaptureFormat;
  /** Classic pcap: the file's linktype and snaplen. pcapng: of the first interface. */
  linktype: number;
  snaplen: number;
  /** pcapng interfaces seen so far (index → name). */
  interfaces: { linktype: number; snaplen: number; name?: string }[];
  /** pcapng shb_comment of the last section header seen. */
  sectionComment?: string;
}

/** Mutable record handed to `scanCapture` callbacks: valid only during the call (zero-copy path). */
export interface RawRecord {
  n: number;
  /** The frame bytes are buf[off, off + caplen). */
  buf: Uint8Array;
  off: number;
  caplen: number;
  len: number;
  /** Integer seconds and fraction in units of 10^-fracDigits seconds. */
  sec: number;
  frac: number;
  fracDigits: number;
  linktype: number;
  ifIndex: number;
  ifName: string | undefined;
  comment: string | undefined;
}
