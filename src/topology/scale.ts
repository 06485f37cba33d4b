// Network-only labs of N nodes for the runtime scale bench: endpoints (netns) spread over a
// chain of OVS bridges, about 10 endpoints per bridge. Node count is exactly n.
import { FabricError } from '../errors/fabric-error.js';
import { formatIp } from './ip.js';
import type { LabModel } from './model.js';
import { LabBuilder } from './builder.js';
import { derivedMac } from './resolve.js';

export const SCALE_MIN = 2;
export const SCALE_MAX = 100000;

export function scaleLabName(n: number): string {
  return `scale${n}`;
}

export function scaleLab(n: number): LabModel {
  if (!Number.isInteger(n) || n < SCALE_MIN || n > SCALE_MAX) {
    throw new FabricError('E_SCALE_RANGE', `scale lab size ${n} outside ${SCALE_MIN}..${SCALE_MAX}`, {
      hint: 'use an integer node count, e.g. --scale 100',
    });
  }
  const bridges = Math.max(1, Math.round(n / 11));
  const endpoints = n - bridges;
  const b = new LabBuilder(scaleLabName(n));
  const labels = { 'fabric.scale': String(n) };
  for (let i = 1; i <= bridges; i++) {
    b.addNode(`sw${i}`, 'ovs-bridge', 'access-switch', { labels });
    if (i > 1) b.link('dc-fabric', `sw${i - 1}`, `sw${i}`, 1500);
  }
  for (let j = 1; j <= endpoints; j++) {
    const name = `h${j}`;
    b.addNode(name, 'linux', 'endpoint', { labels });
    // One flat /8: every endpoint can reach every other one across the chain.
    const addr = (((10 << 24) >>> 0) + j) >>> 0;
    b.link('client-access', name, `sw${((j - 1) % bridges) + 1}`, 1500, {
      mac: derivedMac('scale', name),
      addresses: [`${formatIp(addr)}/8`],
    });
  }
  return b.model('<scale>', { name: scaleLabName(n), datacenters: {}, tenants: {} });
}
