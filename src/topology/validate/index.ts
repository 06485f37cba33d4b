// Semantic checks the schema cannot express, one validator per section: references, duplicates
// inside a tenant, fabric-tag collisions and capacity, generated node-name clashes, the DC graph,
// hypervisors, extra nodes (by kind) and extra links. They run on documents with schema errors
// too, so a user sees every problem in one pass; anything malformed was already reported by the
// schema and is skipped. Order matters: later validators read what earlier ones declared.
import type { DiagnosticBag } from '../../errors/diagnostics.js';
import type { SourceMap } from '../locate.js';
import { validateCapacity } from './capacity.js';
import { Checker, isObj, type MachineFacts } from './checker.js';
import { validateDatacenters } from './datacenters.js';
import { validateDcGraph } from './dc-graph.js';
import { validateExtraLinks, validateExtraNodes } from './extras.js';
import { validateHypervisors } from './hypervisors.js';
import { validateImpair } from './impair.js';
import { validateInterconnects } from './interconnects.js';
import { validateLongHaul } from './long-haul.js';
import { validateMemory } from './memory.js';
import { validateTenants } from './tenants.js';

export type { MachineFacts, NodeDecl } from './checker.js';

const SECTIONS: ((c: Checker) => void)[] = [
  validateDatacenters,
  validateInterconnects,
  validateLongHaul,
  validateTenants,
  validateDcGraph,
  validateCapacity,
  validateHypervisors,
  validateMemory,
  validateExtraNodes,
  validateExtraLinks,
  validateImpair,
];

export function validateIntent(data: unknown, src: SourceMap, bag: DiagnosticBag, machine?: MachineFacts): void {
  if (!isObj(data)) return; // the schema reported it
  const c = new Checker(data, src, bag, machine);
  for (const validate of SECTIONS) validate(c);
}
