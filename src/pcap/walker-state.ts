// What the pcapng half of the capture walker reads and drives: the walker's state as an interface,
// so pcapng-walker.ts depends on this contract and not on walker.ts (which calls into it).
import type { CaptureInfo, RawRecord } from './types.js';
import type { WarningSink } from './warnings.js';

export interface Iface {
  linktype: number;
  snaplen: number;
  name: string | undefined;
  /** Timestamp units: 10^-digits (pow2 false) or 2^-digits (pow2 true). */
  resol: number;
  pow2: boolean;
  warnedLinktype: boolean;
}

export interface WalkerState {
  readonly warnings: WarningSink;
  readonly file: string;
  readonly rec: RawRecord;
  /** Minimum number of bytes from the current position the walker needs to make progress. */
  need: number;
  info: CaptureInfo | undefined;
  /** Frames (records) seen, including skipped corrupt ones. */
  n: number;
  le: boolean;
  ifaces: Iface[];
  sectionSeen: boolean;
  /** Stops the walk at record n: the rest of the file is skipped, with the message as a warning. */
  stop(n: number, message: string): void;
  /** Hands one record to the walker's consumer. */
  emit(buf: Uint8Array, iface: Iface, ifid: number, n: number, off: number, caplen: number, len: number): void;
}
