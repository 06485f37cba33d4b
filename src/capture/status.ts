// What capture reads of the status document (`fabric status --json`, schemaVersion 1): a view of
// the runtime's StatusDoc, the one declaration of that contract. `parseStatus` checks a document
// read from a file (--status-file) before it is used as one.
import { FabricError } from '../errors/fabric-error.js';
import type { StatusDoc } from '../runtime/types.js';

/** The fields of the status document that capture uses. */
export type CaptureStatusDoc = Pick<StatusDoc, 'schemaVersion' | 'lab' | 'runtime' | 'links'>;

function fail(msg: string): never {
  throw new FabricError('E_STATUS_DOC', `status document: ${msg}`, {
    hint: 'pass the output of `fabric status <lab> --json` (schemaVersion 1)',
  });
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const strOrNull = (v: unknown): v is string | null => v === null || str(v);

const int = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** A capture point elsewhere: a namespace, an interface there and the tunnel's VNI and UDP port. */
function checkVia(v: unknown, at: string): void {
  const via = v as { netns?: unknown; ifname?: unknown; vxlan?: { vni?: unknown; dstPort?: unknown } } | null;
  if (
    !via ||
    typeof via !== 'object' ||
    !str(via.netns) ||
    !str(via.ifname) ||
    !via.vxlan ||
    typeof via.vxlan !== 'object'
  )
    fail(`${at}: netns, ifname and vxlan required`);
  if (!int(via.vxlan.vni, 1, 0xffffff) || !int(via.vxlan.dstPort, 1, 65535))
    fail(`${at}: vxlan.vni must be 1..16777215 and vxlan.dstPort 1..65535`);
}

/** Checks the shape of a status document (the fields capture needs) and returns it typed. */
export function parseStatus(doc: unknown): CaptureStatusDoc {
  if (!doc || typeof doc !== 'object') fail('not an object');
  const d = doc as Record<string, unknown>;
  if (d.schemaVersion !== 1) fail(`schemaVersion ${JSON.stringify(d.schemaVersion)} (expected 1)`);
  if (!str(d.lab)) fail('lab missing');
  if (!Array.isArray(d.links)) fail('links missing');
  if (!Array.isArray(d.nodes)) fail('nodes missing');
  (d.links as unknown[]).forEach((l, i) => {
    const link = l as Record<string, unknown>;
    if (!link || !str(link.id) || !str(link.class)) fail(`links[${i}]: id and class required`);
    if (!Array.isArray(link.endpoints) || link.endpoints.length !== 2)
      fail(`links[${i}] (${String(link.id)}): two endpoints required`);
    (link.endpoints as unknown[]).forEach((e, j) => {
      const ep = e as Record<string, unknown>;
      if (!ep || !str(ep.node) || !str(ep.ifname)) fail(`links[${i}].endpoints[${j}]: node and ifname required`);
      if (!strOrNull(ep.netns) || !strOrNull(ep.hostIf ?? null))
        fail(`links[${i}].endpoints[${j}]: netns/hostIf must be strings or null`);
      if (ep.via !== undefined) checkVia(ep.via, `links[${i}].endpoints[${j}].via`);
    });
  });
  return { runtime: 'unknown', ...(d as object) } as CaptureStatusDoc;
}
