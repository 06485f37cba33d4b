// Crafted canary frames on the frame library (decode's build): one frame per flood class, each
// carrying a tenant payload marker (the seed's "Happy", "Grumpy", "Sneezy", "Dopey") so a judge can
// tell from a capture whose frame it is and which class it was sent as.
import { FabricError } from '../errors/fabric-error.js';
import { build, type LayerSpec } from '../decode/index.js';
import { checkIpv4, checkMac } from '../names/index.js';

export const TENANT_MARKERS = ['Happy', 'Grumpy', 'Sneezy', 'Dopey'] as const;
export const FLOOD_CLASSES = ['broadcast', 'arp', 'unknown-unicast', 'multicast', 'unicast'] as const;
export type FloodClass = (typeof FLOOD_CLASSES)[number];

/** A locally administered MAC that no lab node uses (unknown-unicast default destination). */
export const UNKNOWN_UNICAST_MAC = '02:fa:b1:ff:ff:fe';
export const CANARY_SPORT = 40000;
export const CANARY_DPORT = 40001;
const MARKER = /^[A-Za-z0-9_.-]{1,32}$/;

export interface CanarySpec {
  cls: FloodClass;
  marker: string;
  srcMac: string;
  srcIp: string;
  /** Unicast / unknown-unicast / ARP target address. */
  dstIp?: string;
  /** Required for unicast; unknown-unicast defaults to UNKNOWN_UNICAST_MAC. */
  dstMac?: string;
  /** Multicast group (default 239.1.1.1). */
  group?: string;
  /** The client's own 802.1Q tag, when the frame leaves the client tagged. */
  vlan?: number;
  seq?: number;
  /** Free text added to the payload (e.g. a run id). */
  tag?: string;
}

/** `FABRIC-CANARY|<marker>|<class>|<seq>|<tag>|`: what a judge searches for in the payload. */
export function canaryText(marker: string, cls: FloodClass, seq = 0, tag = ''): string {
  if (!MARKER.test(marker))
    throw new FabricError('E_TRAFFIC_MARKER', `bad marker ${JSON.stringify(marker)}`, {
      hint: 'markers match [A-Za-z0-9_.-]{1,32}',
    });
  if (!/^[A-Za-z0-9_.:-]{0,64}$/.test(tag))
    throw new FabricError('E_TRAFFIC_MARKER', `bad canary tag ${JSON.stringify(tag)}`);
  return `FABRIC-CANARY|${marker}|${cls}|${seq}|${tag}|`;
}

/** Parses a canary text found in a frame's bytes (latin1), or null. */
export function findCanary(data: Uint8Array): { marker: string; cls: string; seq: number; tag: string } | null {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const m = /FABRIC-CANARY\|([A-Za-z0-9_.-]{1,32})\|([a-z-]+)\|(\d+)\|([A-Za-z0-9_.:-]*)\|/.exec(text);
  return m ? { marker: m[1]!, cls: m[2]!, seq: Number(m[3]), tag: m[4]! } : null;
}

/** 01:00:5e + low 23 bits of the group (RFC 1112). */
export function multicastMac(group: string): string {
  const o = checkIpv4(group).split('.').map(Number);
  if (o[0]! < 224 || o[0]! > 239) throw new FabricError('E_TRAFFIC_ADDR', `${group} is not an IPv4 multicast group`);
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `01:00:5e:${h(o[1]! & 0x7f)}:${h(o[2]!)}:${h(o[3]!)}`;
}

function need<T>(v: T | undefined, what: string, cls: FloodClass): T {
  if (v === undefined) throw new FabricError('E_TRAFFIC_CANARY', `${cls} canary needs ${what}`);
  return v;
}

/** Builds one canary frame of the given class (Ethernet, optional client VLAN, then ARP or IPv4/UDP). */
export function buildCanary(s: CanarySpec): Uint8Array {
  const srcMac = checkMac(s.srcMac);
  const srcIp = checkIpv4(s.srcIp);
  const payload = new TextEncoder().encode(canaryText(s.marker, s.cls, s.seq ?? 0, s.tag ?? ''));
  let dstMac: string;
  let dstIp: string;
  switch (s.cls) {
    case 'broadcast':
      dstMac = 'ff:ff:ff:ff:ff:ff';
      dstIp = '255.255.255.255';
      break;
    case 'arp':
      dstMac = 'ff:ff:ff:ff:ff:ff';
      dstIp = checkIpv4(need(s.dstIp, 'dstIp (the address asked for)', s.cls));
      break;
    case 'unknown-unicast':
      dstMac = checkMac(s.dstMac ?? UNKNOWN_UNICAST_MAC);
      dstIp = checkIpv4(need(s.dstIp, 'dstIp', s.cls));
      break;
    case 'multicast':
      dstIp = s.group ?? '239.1.1.1';
      dstMac = multicastMac(dstIp);
      break;
    case 'unicast':
      dstMac = checkMac(need(s.dstMac, 'dstMac (a known station)', s.cls));
      dstIp = checkIpv4(need(s.dstIp, 'dstIp', s.cls));
      break;
    default:
      throw new FabricError('E_TRAFFIC_CANARY', `unknown flood class ${JSON.stringify(s.cls)}`, {
        hint: `one of ${FLOOD_CLASSES.join(', ')}`,
      });
  }
  if ((s.cls === 'unicast' || s.cls === 'unknown-unicast') && parseInt(dstMac.slice(0, 2), 16) & 1) {
    throw new FabricError('E_TRAFFIC_CANARY', `${s.cls} canary needs a unicast destination MAC, got ${dstMac}`);
  }
  const layers: LayerSpec[] = [{ name: 'eth', src: srcMac, dst: dstMac }];
  if (s.vlan !== undefined) {
    if (!Number.isInteger(s.vlan) || s.vlan < 1 || s.vlan > 4094)
      throw new FabricError('E_TRAFFIC_CANARY', `client VLAN ${s.vlan} outside 1..4094`);
    layers.push({ name: 'vlan', vid: s.vlan });
  }
  if (s.cls === 'arp') {
    // The marker rides in the trailer after the ARP body (where Ethernet padding would be).
    layers.push(
      { name: 'arp', op: 1, sha: srcMac, spa: srcIp, tha: '00:00:00:00:00:00', tpa: dstIp },
      { name: 'raw', data: payload },
    );
  } else {
    layers.push(
      { name: 'ipv4', src: srcIp, dst: dstIp, ttl: s.cls === 'multicast' ? 1 : 64 },
      { name: 'udp', sport: CANARY_SPORT, dport: CANARY_DPORT },
      { name: 'raw', data: payload },
    );
  }
  return build(layers, { minSize: 60 });
}

export interface CanarySetOptions {
  marker: string;
  srcMac: string;
  srcIp: string;
  dstIp: string;
  /** Known station for the unicast class (omit to skip unicast). */
  dstMac?: string;
  /** Destination of the unknown-unicast class (default UNKNOWN_UNICAST_MAC; must be a MAC no station uses). */
  unknownMac?: string;
  group?: string;
  vlan?: number;
  classes?: readonly FloodClass[];
  /** Frames per class (1..1000, default 1). */
  perClass?: number;
  tag?: string;
}

/** One or more canaries of every requested class for one tenant endpoint. */
export function buildCanarySet(o: CanarySetOptions): { cls: FloodClass; seq: number; frame: Uint8Array }[] {
  const per = o.perClass ?? 1;
  if (!Number.isInteger(per) || per < 1 || per > 1000)
    throw new FabricError('E_TRAFFIC_BOUNDS', `perClass ${per} outside 1..1000`);
  const classes = o.classes ?? FLOOD_CLASSES.filter((c) => c !== 'unicast' || o.dstMac);
  const out: { cls: FloodClass; seq: number; frame: Uint8Array }[] = [];
  for (const cls of classes) {
    for (let seq = 0; seq < per; seq++) {
      // dstMac is the known station of the unicast class only; unknown-unicast keeps its unused MAC.
      const dstMac = cls === 'unicast' ? o.dstMac : cls === 'unknown-unicast' ? o.unknownMac : undefined;
      out.push({
        cls,
        seq,
        frame: buildCanary({
          cls,
          marker: o.marker,
          srcMac: o.srcMac,
          srcIp: o.srcIp,
          dstIp: o.dstIp,
          dstMac,
          group: o.group,
          vlan: o.vlan,
          seq,
          tag: o.tag,
        }),
      });
    }
  }
  return out;
}
