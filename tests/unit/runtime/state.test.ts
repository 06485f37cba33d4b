import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  addObjects,
  emptyObjects,
  listStates,
  readState,
  removeState,
  statePath,
  writeState,
} from '../../../src/runtime/state.js';
import type { LabState } from '../../../src/runtime/types.js';
import { smallLab } from '../../fixtures/runtime-labs.js';

describe('runtime state file', () => {
  let dir: string;
  const saved = process.env.FABRIC_STATE_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fabric-state-'));
    process.env.FABRIC_STATE_DIR = dir;
  });
  after(() => {
    if (saved === undefined) delete process.env.FABRIC_STATE_DIR;
    else process.env.FABRIC_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const state = (lab: string): LabState => ({
    stateVersion: 1,
    lab,
    runtime: 'netns',
    phase: 'deploying',
    startedAt: 'x',
    updatedAt: 'x',
    planned: { netns: ['clab-a-h1'], rootIfs: [], bridges: ['a-sw'] },
    created: emptyObjects(),
    stages: [],
    model: smallLab(lab),
  });

  it('round-trips, lists and removes lab states under FABRIC_STATE_DIR', () => {
    writeState(state('lab-a'));
    writeState(state('lab-b'));
    expect(statePath('lab-a')).to.equal(join(dir, 'lab-a.json'));
    expect(listStates()).to.deep.equal(['lab-a', 'lab-b']);
    const s = readState('lab-a')!;
    expect(s.planned.bridges).to.deep.equal(['a-sw']);
    expect(s.model.nodes).to.have.length(9);
    removeState('lab-a');
    expect(readState('lab-a')).to.equal(null);
    expect(listStates()).to.deep.equal(['lab-b']);
  });

  it("removes the half-written copies of a writer killed before its rename, and no other lab's", () => {
    writeState(state('lab-c'));
    writeFileSync(join(dir, 'lab-c.json.4242.tmp'), '{"half');
    writeFileSync(join(dir, 'lab-cd.json.4243.tmp'), '{"half');
    removeState('lab-c');
    expect(readdirSync(dir).filter((f) => f.startsWith('lab-c'))).to.deep.equal(['lab-cd.json.4243.tmp']);
  });

  it('reports a corrupt state file with a hint', () => {
    writeFileSync(join(dir, 'broken.json'), '{"stateVersion": 1, "lab": "broken"');
    expect(() => readState('broken'))
      .to.throw()
      .with.property('code', 'E_STATE_CORRUPT');
  });

  it('refuses lab names that are not safe path/command components', () => {
    expect(() => statePath('../etc/passwd'))
      .to.throw()
      .with.property('code', 'E_BAD_NAME');
  });

  it('merges object lists without duplicates', () => {
    const o = emptyObjects();
    addObjects(o, { netns: ['a', 'b'] });
    addObjects(o, { netns: ['b', 'c'], bridges: ['x'] });
    expect(o).to.deep.equal({ netns: ['a', 'b', 'c'], rootIfs: [], bridges: ['x'] });
  });
});
