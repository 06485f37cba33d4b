// datacenters: one switch per DC; a declared DC tag (Tag3, an MPLS label) belongs to one DC only.
// The label range itself is the schema's (reserved labels 0-15 refused with a location).
import { dcSwitchName } from '../../names/index.js';
import { entries, isName, isObj, type Checker } from './checker.js';

export const MPLS_LABEL_MIN = 16;
export const MPLS_LABEL_MAX = 1048575;
const isLabel = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= MPLS_LABEL_MIN && (v as number) <= MPLS_LABEL_MAX;

export function validateDatacenters(c: Checker): void {
  const dcTags = new Map<number, string>();
  for (const [dc, body] of entries(c.data.datacenters)) {
    if (isName(dc))
      c.declareNode({
        name: dcSwitchName(dc),
        kind: 'ovs-bridge',
        path: ['datacenters', dc],
        key: true,
        what: `the switch of datacenter ${dc}`,
      });
    const tag = isObj(body) ? body.dc_tag : undefined;
    if (!isLabel(tag)) continue;
    const prev = dcTags.get(tag);
    if (prev !== undefined) {
      c.report(
        'E_TAG_COLLISION',
        ['datacenters', dc, 'dc_tag'],
        `DC tag ${tag} of datacenter ${dc} is already the DC tag of ${prev}`,
        'each datacenter needs its own DC tag (Tag3)',
      );
    } else dcTags.set(tag, dc);
  }
}
