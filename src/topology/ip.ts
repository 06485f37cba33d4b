// Minimal IPv4 helpers for validation and resolution (no dependency needed for /30 arithmetic).

export interface Cidr {
  addr: number; // unsigned 32-bit
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { addr: ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, prefix };
}

export function formatIp(addr: number): string {
  return [24, 16, 8, 0].map((s) => (addr >>> s) & 255).join('.');
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(c: Cidr): number {
  return (c.addr & mask(c.prefix)) >>> 0;
}

/** True when the address is the network or broadcast address of a subnet that has both. */
export function isNetworkOrBroadcast(c: Cidr): 'network' | 'broadcast' | undefined {
  if (c.prefix >= 31) return undefined;
  const host = (c.addr & ~mask(c.prefix)) >>> 0;
  if (host === 0) return 'network';
  if (host === ~mask(c.prefix) >>> 0) return 'broadcast';
  return undefined;
}

/** The two addresses the provider routers use on a point-to-point subnet. */
export function pointToPointHosts(c: Cidr): [number, number] | undefined {
  const net = networkOf(c);
  if (c.prefix === 31) return [net, (net + 1) >>> 0];
  if (c.prefix > 30) return undefined;
  return [(net + 1) >>> 0, (net + 2) >>> 0];
}
