// One link end a capture run records, and where it is: chosen by select.ts, started by session.ts.
import type { CaptureVia, TcpdumpTarget } from '../hostnet/index.js';

export interface CaptureTarget extends TcpdumpTarget {
  /** Stable id of this capturer: the file stem `<node>--<port>` (see docs/capture.md). */
  id: string;
  /** The fabric port name of this end (`p2` on a bridge, `eth1` in a namespace): the link id's name for it. */
  port: string;
  linkId: string;
  linkClass: string;
  node: string;
  ifname: string;
  netns: string | null;
  hostIf: string | null;
  /** Where a stitched link end is captured instead (its host's underlay, the link's VXLAN frames). */
  via?: CaptureVia;
  /** The other end of the link (captured or not). */
  peer: { node: string; ifname: string; port: string; netns: string | null; hostIf: string | null };
}
