// The inspect view of one frame: capture metadata + decoded layers (the JSON Lines contract,
// schemas/inspect-frame.schema.json).
import type { Layer, RawLayer } from '../decode/index.js';

/** Raw reasons inspect adds to the decoder's: a frame on a non-Ethernet linktype is not decoded. */
export type InspectRawLayer = Omit<RawLayer, 'reason'> & { reason?: RawLayer['reason'] | 'unknown-linktype' };
export type InspectLayer = Exclude<Layer, RawLayer> | InspectRawLayer;

export interface InspectFrame {
  n: number;
  /** Exact timestamp text at the file precision (printed as a JSON number). */
  tsString: string;
  len: number;
  caplen: number;
  /** Set when several files are inspected. */
  file?: string;
  /** pcapng interface: its name, or its index when it has none. */
  if?: string | number;
  layers: InspectLayer[];
}
