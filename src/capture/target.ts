// One link end a capture run records, and where it is: chosen by select.ts, started by session.ts.
import type { TcpdumpTarget } from '../hostnet/index.js';

export interface CaptureTarget extends TcpdumpTarget {
  /** Stable id of this capturer: the file stem `<node>--<ifname>`. */
  id: string;
  linkId: string;
  linkClass: string;
  node: string;
  ifname: string;
  netns: string | null;
  hostIf: string | null;
  /** The other end of the link (captured or not). */
  peer: { node: string; ifname: string; netns: string | null; hostIf: string | null };
}
