// Two more readers compiled from the layer declarations (as compile.ts does for the walker):
// - layerJsonBytes: a header layer's JSON written as bytes into an output buffer, byte for byte
//   what layerJson returns as a string, without making the string;
// - readFields: a header layer's output fields (LayerDecl.out, in order) as numbers in a reused
//   Float64Array, addresses as their byte offset in the frame, for printers that format
//   the fields themselves (the inspect text line).
import { formatIpv6 } from './addr.js';
import { LAYER_ID, uintExpr } from './compile.js';
import { fieldBits, fieldOffsets, LAYERS, type HeaderLayerName, type LayerDecl } from './layers.js';
import { asciiBytes, putAscii, putBytes, putIpv4, putMac, putUint } from './put.js';

interface FieldCode {
  kind: 'uint' | 'bool' | 'mac' | 'ipv4' | 'ipv6';
  /** JS expression: the byte offset of an address field. */
  at: string;
  /** JS expression: the value of a uint/bool field (bool as 0/1); empty for an address. */
  value: string;
}

function fieldCode(decl: LayerDecl, name: string): FieldCode {
  const f = fieldOffsets(decl).get(name);
  if (!f) throw new Error(`decoder compile: ${decl.name} has no field ${name}`);
  const byte = f.bit / 8;
  const at = byte === 0 ? 'o' : byte < 0 ? `(o - ${-byte})` : `(o + ${byte})`;
  const kind = f.field.kind ?? 'uint';
  const bits = fieldBits(f.field);
  const value =
    kind === 'bool' ? `(${uintExpr(f.bit, bits)} !== 0 ? 1 : 0)` : kind === 'uint' ? uintExpr(f.bit, bits) : '';
  return { kind, at, value };
}

/** Statements writing constant text and field values, with neighbouring constants merged. */
class Emitter {
  readonly consts: Uint8Array[] = [];
  private out: string[] = [];
  private pending = '';
  text(s: string): this {
    this.pending += s;
    return this;
  }
  code(stmt: string): this {
    this.flush();
    this.out.push(stmt);
    return this;
  }
  private flush(): void {
    const s = this.pending;
    this.pending = '';
    if (s.length === 0) return;
    // Constants as straight-line stores: a copy loop per constant cost more than all the rest.
    if (s.length > 64) {
      this.consts.push(asciiBytes(s));
      this.out.push(`p = C(u, p, K[${this.consts.length - 1}]);`);
      return;
    }
    const stores = Array.from(s, (c, i) => `u[${i === 0 ? 'p' : `p + ${i}`}] = ${c.charCodeAt(0)};`);
    this.out.push(`${stores.join(' ')} p += ${s.length};`);
  }
  take(): string {
    this.flush();
    const s = this.out.join(' ');
    this.out = [];
    return s;
  }
}

function jsonField(e: Emitter, decl: LayerDecl, name: string): void {
  const f = fieldCode(decl, name);
  switch (f.kind) {
    case 'mac':
      e.text('"').code(`p = M(u, p, b, ${f.at});`).text('"');
      return;
    case 'ipv4':
      e.text('"').code(`p = I4(u, p, b, ${f.at});`).text('"');
      return;
    case 'ipv6':
      e.text('"').code(`p = S(u, p, I6(b, ${f.at}));`).text('"');
      return;
    case 'bool':
      e.code(`if (${f.value} === 1) { u[p] = 116; u[p + 1] = 114; u[p + 2] = 117; u[p + 3] = 101; p += 4; }`);
      e.code(`else { u[p] = 102; u[p + 1] = 97; u[p + 2] = 108; u[p + 3] = 115; u[p + 4] = 101; p += 5; }`);
      return;
    default:
      e.code(`p = U(u, p, ${f.value});`);
  }
}

function jsonCase(e: Emitter, decl: LayerDecl): string {
  if (decl.name === 'pw') {
    e.code('if (k === 1) {').text('{"name":"pw","cw":true,"seq":');
    e.code(`p = U(u, p, ${fieldCode(decl, 'seq').value});`)
      .text('}')
      .code('return p; }');
    return e.text('{"name":"pw","cw":false}').code('return p;').take();
  }
  e.text(`{"name":"${decl.name}",`);
  decl.out.forEach((n, i) => {
    e.text(`${i === 0 ? '' : ','}"${n}":`);
    jsonField(e, decl, n);
  });
  return e.text('}').code('return p;').take();
}

export type JsonBytesWriter = (id: number, b: Uint8Array, o: number, key: number, u: Uint8Array, p: number) => number;

/**
 * Writes the JSON of a header layer into `u` at `p` (exactly layerJson's text, as bytes) and
 * returns the next offset. At most JSON_BYTES_MAX bytes per layer.
 */
export const layerJsonBytes: JsonBytesWriter = (() => {
  const e = new Emitter();
  const cases = Object.values(LAYERS).map((d) => `    case ${LAYER_ID[d.name]}: { ${jsonCase(e, d)} }`);
  const src = `"use strict"; return function layerJsonBytes(id, b, o, k, u, p) {\n  switch (id) {\n${cases.join('\n')}\n    default: u[p] = 110; u[p + 1] = 117; u[p + 2] = 108; u[p + 3] = 108; return p + 4;\n  }\n};`;
  const fn = new Function('C', 'K', 'U', 'M', 'I4', 'I6', 'S', src);
  return fn(putBytes, e.consts, putUint, putMac, putIpv4, formatIpv6, putAscii) as JsonBytesWriter;
})();

/** Most bytes layerJsonBytes writes for one layer (arp: five fields, two MACs, two quads). */
export const JSON_BYTES_MAX = 256;

export type FieldReader = (id: number, b: Uint8Array, o: number, key: number, v: Float64Array) => void;

/**
 * Reads the output fields of a header layer into v[0..], in LayerDecl.out order: numbers as
 * they are, booleans as 0/1, addresses as the byte offset of the address in the frame. The
 * pseudowire gives [cw 0/1, seq] (seq 0 without a control word).
 */
export const readFields: FieldReader = (() => {
  const cases = Object.values(LAYERS).map((d) => {
    if (d.name === 'pw')
      return `    case ${LAYER_ID.pw}: v[0] = k; v[1] = k === 1 ? ${fieldCode(d, 'seq').value} : 0; return;`;
    const sets = d.out.map((n, i) => {
      const f = fieldCode(d, n);
      return `v[${i}] = ${f.kind === 'uint' || f.kind === 'bool' ? f.value : f.at};`;
    });
    return `    case ${LAYER_ID[d.name]}: ${sets.join(' ')} return;`;
  });
  const src = `"use strict"; return function readFields(id, b, o, k, v) {\n  switch (id) {\n${cases.join('\n')}\n  }\n};`;
  return new Function(src)() as FieldReader;
})();

/** Index of a field in readFields' output for a layer (fails at load for a field not in `out`). */
export function fieldIndex(layer: HeaderLayerName, field: string): number {
  const i = LAYERS[layer].out.indexOf(field);
  if (i < 0) throw new Error(`decoder: ${layer} has no output field ${field}`);
  return i;
}
