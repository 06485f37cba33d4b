// A tag feature module (netlab style): it declares what it needs, allocates its tags into the
// plan (reporting problems to the bag), and renders OpenFlow for the bridges it owns.
import type { NodeRole } from '../../topology/model.js';
import type { LabIndex, PlanContext } from '../context.js';
import type { TagPlan } from '../types.js';

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
