// A tag feature module (netlab style): it declares what it needs, allocates its tags into the
// plan (reporting problems to the bag), and renders OpenFlow for the bridges it owns.
import type { LinkClass, LinkModel, NodeRole } from '../../topology/model.js';
import type { LabIndex, PlanContext } from '../context.js';
import type { LayerPattern } from '../patterns.js';
import type { SitePlan, TagPlan } from '../types.js';

/** Everything pushed to one OVS bridge, in apply order: meters, then groups and flows as one bundle. */
export interface BridgeProgram {
  node: string;
  bridge: string;
  role: NodeRole;
  meters: string[];
  groups: string[];
  flows: string[];
}

export interface RenderContext {
  plan: TagPlan;
  index: LabIndex;
  program(node: string): BridgeProgram;
}

export interface TagModule {
  name: string;
  description: string;
  /** Modules whose allocation must run first. */
  requires: string[];
  /** Node roles whose bridges this module writes flows for. */
  roles: NodeRole[];
  allocate(ctx: PlanContext): void;
  render(ctx: RenderContext): void;
  /** What frames look like where this module attaches sites (tagging/expected.ts asks). */
  expect?: ExpectHooks;
}

/** Delivery of a tenant frame from a DC switch to one site (expected.ts). */
export interface Delivery {
  index: LabIndex;
  site: SitePlan;
  /** The DC switch the frame comes from. */
  from: string;
  vlan: number;
  flood: boolean;
  /** False when the lab's guests are not set up: nothing beyond a hypervisor's uplink runs. */
  guests: boolean;
  hop(from: string, to: string, cls?: LinkClass): LinkModel;
  add(link: LinkModel, from: string, to: string): void;
}

/** One link's crossing of a tenant frame (expected.ts). */
export interface Crossing {
  index: LabIndex;
  plan: TagPlan;
  link: LinkModel;
  from: string;
  to: string;
  tenant: string;
  vlan: number;
  /** The client's own Ethernet header. */
  client: LayerPattern;
}

export interface ExpectHooks {
  /** Adds the traversals to a site this module attaches; false when the site is not its own. */
  deliver?(d: Delivery): boolean;
  /** The link classes whose frames `layers` describes. */
  classes?: readonly LinkClass[];
  layers?(c: Crossing): LayerPattern[];
}

/** Hands out integers in [min, max], skipping reserved and already-declared values. */
export class Allocator {
  private next: number;
  constructor(
    start: number,
    private readonly max: number,
    private readonly taken: Set<number>,
  ) {
    this.next = start;
  }
  take(): number | undefined {
    while (this.next <= this.max && this.taken.has(this.next)) this.next++;
    if (this.next > this.max) return undefined;
    this.taken.add(this.next);
    return this.next++;
  }
}

/** Cookies mark which module wrote a flow, so `fabric flows --diff` can attribute drift. */
export const COOKIE = { qinq: 0x1, dc: 0x2, mpls: 0x3, access: 0x4, learned: 0xfe } as const;

export const VLAN_MIN = 1;
export const VLAN_MAX = 4094;
/** MPLS labels 0-15 are reserved (RFC 3032); 2^20-1 is the largest. */
export const MPLS_MIN = 16;
export const MPLS_MAX = 1048575;
