// Dissector.json() writes the layers' JSON straight from the frame; it must be exactly
// JSON.stringify(layers()) for every frame, valid or mutated, and every first layer.
import { expect } from 'chai';
import fc from 'fast-check';
import { build, Dissector, LAYER_ID, parseDecodeAs } from '../../../src/decode/index.js';
import { stackArb } from '../inspect/stacks.js';
import { prng } from './helpers.js';

describe('decode/json: the compiled JSON emitter', () => {
  it('equals JSON.stringify(layers()) on random stacks and their byte mutations, from every first layer', () => {
    const stacks = fc.sample(stackArb, { numRuns: 400, seed: 20261204 });
    const frames = stacks.map((s) => build(s.layers));
    const rnd = prng(0x150);
    const firsts = [LAYER_ID.eth, LAYER_ID.sll, LAYER_ID.sll2, LAYER_ID.ipv4, LAYER_ID.ipv6];
    const ds = [new Dissector(), new Dissector({ decodeAs: parseDecodeAs(['pw-eth-cw', 'udp.port==9,vxlan']) })];
    let checked = 0;
    for (let round = 0; round < 25; round++) {
      for (const base of frames) {
        const f = base.slice();
        for (let e = 0; e < round % 4; e++) f[Math.floor(rnd() * f.length)] = Math.floor(rnd() * 256);
        const d = ds[round & 1]!;
        d.walk(f, 0, f.length, firsts[round % firsts.length]!);
        const want = JSON.stringify(d.layers());
        if (d.json() !== want) expect(d.json(), Buffer.from(f).toString('hex')).to.equal(want);
        checked++;
      }
    }
    expect(checked).to.equal(10_000);
  });
});
