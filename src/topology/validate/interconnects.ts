// interconnects: dedicated lines between two distinct DCs, each pair once; one interconnect
// switch per DC on a line.
import { interconnectName } from '../../names/index.js';
import { arr, betweenOf, pairKey, type Checker } from './checker.js';

export function validateInterconnects(c: Checker): void {
  const icNodes = new Set<string>();
  arr(c.data.interconnects).forEach((ic, i) => {
    const pair = betweenOf(c, ic, ['interconnects', i]);
    if (!pair) return;
    const [a, b] = pair;
    if (a === b) {
      c.report(
        'E_SELF_LINK',
        ['interconnects', i, 'between'],
        `interconnect from ${a} to itself`,
        'an interconnect joins two different datacenters',
      );
      return;
    }
    const key = pairKey(a, b);
    if (c.lines.has(key)) {
      c.report(
        'E_DUP_INTERCONNECT',
        ['interconnects', i],
        `a dedicated line between ${a} and ${b} is already declared (interconnects[${c.lines.get(key)}])`,
        'declare each dedicated line once',
      );
      return;
    }
    c.lines.set(key, i);
    pair.forEach((dc, j) => {
      if (icNodes.has(dc)) return;
      icNodes.add(dc);
      c.declareNode({
        name: interconnectName(dc),
        kind: 'ovs-bridge',
        path: ['interconnects', i, 'between', j],
        key: false,
        what: `the interconnect switch of ${dc}`,
      });
    });
  });
}
