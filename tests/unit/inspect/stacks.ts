// Random tag stacks for inspect tests (schema, tshark differential): outer Ethernet with 0-2 tags,
// optionally an MPLS label stack + pseudowire (with or without control word) or a VXLAN tunnel,
// then an inner Ethernet/IP/ARP/transport stack. Built with the decoder's own `build`.
import fc from 'fast-check';
import { formatIpv6, formatMac, type LayerSpec } from '../../../src/decode/index.js';

// Unicast MACs (I/G bit clear), locally administered or not: 02:…, 6e:…, 00:… all appear.
export const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => {
  b[0] = b[0]! & 0xfe;
  return formatMac(b, 0);
});
export const ip4Arb = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((a) => a.join('.'));
export const ip6Arb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  b[0] = 0xfd;
  return formatIpv6(b, 0);
});
const port = fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 4789);
const payload = fc.uint8Array({ minLength: 0, maxLength: 40 });

export const vlansArb = fc.oneof(
  fc.constant([] as LayerSpec[]),
  fc.integer({ min: 1, max: 4094 }).map((vid): LayerSpec[] => [{ name: 'vlan', vid }]),
  fc
    .tuple(
      fc.integer({ min: 1, max: 4094 }),
      fc.integer({ min: 1, max: 4094 }),
      fc.constantFrom(0x88a8, 0x9100, 0x8100),
    )
    .map(([s, c, tpid]): LayerSpec[] => [
      { name: 'vlan', tpid, vid: s },
      { name: 'vlan', vid: c },
    ]),
);

const transport = (v6: boolean): fc.Arbitrary<LayerSpec[]> =>
  fc.oneof(
    fc.tuple(fc.nat(65535), fc.nat(65535), payload).map(([id, seq, data]): LayerSpec[] => [
      { name: 'icmp', type: v6 ? 128 : 8, code: 0, id, seq },
      { name: 'raw', data },
    ]),
    fc.tuple(port, port, payload).map(([sport, dport, data]): LayerSpec[] => [
      { name: 'udp', sport, dport },
      { name: 'raw', data },
    ]),
    fc
      .tuple(port, port, fc.integer({ min: 0, max: 0xff }))
      .map(([sport, dport, flags]): LayerSpec[] => [{ name: 'tcp', sport, dport, flags }]),
  );

const l3 = fc.oneof(
  fc
    .tuple(ip4Arb, ip4Arb, fc.nat(65535), fc.integer({ min: 1, max: 255 }), transport(false))
    .map(([src, dst, id, ttl, t]): LayerSpec[] => [{ name: 'ipv4', src, dst, id, ttl }, ...t]),
  fc.tuple(ip6Arb, ip6Arb, transport(true)).map(([src, dst, t]): LayerSpec[] => [{ name: 'ipv6', src, dst }, ...t]),
  fc
    .tuple(macArb, ip4Arb, ip4Arb, fc.constantFrom(1, 2))
    .map(([sha, spa, tpa, op]): LayerSpec[] => [
      { name: 'arp', op, sha, spa, tha: op === 1 ? '00:00:00:00:00:00' : sha, tpa },
    ]),
);

/** Ethernet + tags + L3 (the innermost part of every stack). */
export const lanStackArb: fc.Arbitrary<LayerSpec[]> = fc
  .tuple(macArb, macArb, vlansArb, l3)
  .map(([src, dst, v, rest]) => [{ name: 'eth', src, dst } as LayerSpec, ...v, ...rest]);

const mplsArb = fc
  .array(fc.tuple(fc.integer({ min: 16, max: 0xfffff }), fc.integer({ min: 1, max: 255 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((ls): LayerSpec[] => ls.map(([label, ttl]) => ({ name: 'mpls', label, ttl })));

export type StackKind = 'lan' | 'pw' | 'vxlan';

/** A whole stack and what it is. `pwCw` tells decode-as what the pseudowire carries. */
export interface GenStack {
  kind: StackKind;
  layers: LayerSpec[];
  pwCw?: boolean;
  bottomLabel?: number;
}

export const stackArb: fc.Arbitrary<GenStack> = fc.oneof(
  lanStackArb.map((layers): GenStack => ({ kind: 'lan', layers })),
  fc
    .tuple(macArb, macArb, vlansArb, mplsArb, fc.boolean(), lanStackArb)
    .map(([src, dst, v, m, cw, inner]): GenStack => ({
      kind: 'pw',
      pwCw: cw,
      bottomLabel: (m[m.length - 1] as { label: number }).label,
      layers: [{ name: 'eth', src, dst }, ...v, ...m, { name: 'pw', cw }, ...inner],
    })),
  fc
    .tuple(macArb, macArb, vlansArb, ip4Arb, ip4Arb, port, fc.integer({ min: 1, max: 0xffffff }), lanStackArb)
    .map(([src, dst, v, a, b, sport, vni, inner]): GenStack => ({
      kind: 'vxlan',
      layers: [
        { name: 'eth', src, dst },
        ...v,
        { name: 'ipv4', src: a, dst: b },
        { name: 'udp', sport, dport: 4789 },
        { name: 'vxlan', vni },
        ...inner,
      ],
    })),
);
