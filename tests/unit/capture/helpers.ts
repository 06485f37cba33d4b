import type { StatusDoc } from '../../../src/runtime/types.js';

export const STATUS: StatusDoc = {
  schemaVersion: 1,
  lab: 'mtdc',
  runtime: 'netns',
  nodes: [],
  links: [
    {
      id: 'c1-sw1',
      class: 'client-access',
      endpoints: [
        { node: 'c1', ifname: 'eth0', netns: 'clab-mtdc-c1', hostIf: null },
        { node: 'sw1', ifname: 'p1', netns: null, hostIf: 'mtdc-sw1-p1' },
      ],
    },
    {
      id: 'sw1-pe1',
      class: 'dc-fabric',
      endpoints: [
        { node: 'sw1', ifname: 'up', netns: null, hostIf: 'mtdc-sw1-up' },
        { node: 'pe1', ifname: 'd1', netns: null, hostIf: 'mtdc-pe1-d1' },
      ],
    },
    {
      id: 'pe1-p1',
      class: 'long-haul',
      endpoints: [
        { node: 'pe1', ifname: 'lh', netns: null, hostIf: 'mtdc-pe1-lh' },
        { node: 'p1', ifname: 'a', netns: null, hostIf: null },
      ],
    },
  ],
};
