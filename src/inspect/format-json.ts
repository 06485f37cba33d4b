// JSON Lines: one object per frame, key order n, ts, len, caplen?, file?, if?, layers. `ts` is
// written from the exact timestamp text, so a nanosecond file keeps all nine digits in the output
// (JSON numbers have arbitrary precision as text; JS readers will round to float64).
import type { InspectFrame } from './types.js';

const dropData = (k: string, v: unknown): unknown => (k === 'data' ? undefined : v);

function layersJson(f: InspectFrame): string {
  // Raw `data` (payload bytes) is not part of the contract. Only the last layer can be raw, and a
  // replacer function makes JSON.stringify several times slower, so it is used only when needed.
  const last = f.layers[f.layers.length - 1];
  if (last !== undefined && last.name === 'raw' && last.data !== undefined) return JSON.stringify(f.layers, dropData);
  return JSON.stringify(f.layers);
}

export function frameJson(f: InspectFrame): string {
  return frameJsonWith(f, layersJson(f));
}

/** The same line with the layers already as JSON text (Dissector.json()). */
export function frameJsonWith(f: Omit<InspectFrame, 'layers'>, layers: string): string {
  let s = `{"n":${f.n},"ts":${f.tsString},"len":${f.len}`;
  if (f.caplen !== f.len) s += `,"caplen":${f.caplen}`;
  if (f.file !== undefined) s += `,"file":${JSON.stringify(f.file)}`;
  if (f.if !== undefined) s += `,"if":${JSON.stringify(f.if)}`;
  return s + `,"layers":${layers}}`;
}
