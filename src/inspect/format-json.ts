// JSON Lines: one object per frame, key order n, ts, len, caplen?, file?, if?, layers. `ts` is
// written from the exact timestamp text, so a nanosecond file keeps all nine digits in the output
// (JSON numbers have arbitrary precision as text; JS readers will round to float64).
import type { InspectFrame } from './types.js';

function layersJson(f: InspectFrame): string {
  // Raw `data` (payload bytes) is not part of the contract.
  return JSON.stringify(f.layers, (k, v) => (k === 'data' ? undefined : v));
}

export function frameJson(f: InspectFrame): string {
  let s = `{"n":${f.n},"ts":${f.tsString},"len":${f.len}`;
  if (f.caplen !== f.len) s += `,"caplen":${f.caplen}`;
  if (f.file !== undefined) s += `,"file":${JSON.stringify(f.file)}`;
  if (f.if !== undefined) s += `,"if":${JSON.stringify(f.if)}`;
  return s + `,"layers":${layersJson(f)}}`;
}
