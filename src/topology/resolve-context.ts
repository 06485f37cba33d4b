// What the resolve stages share: the builder, the validated intent, where to report, link MTUs.
import type { DiagnosticBag } from '../errors/diagnostics.js';
import type { LabBuilder } from './builder.js';
import type { FabricIntent } from './intent.js';
import type { SourceMap } from './locate.js';
import type { LinkClass } from './model.js';

export interface ResolveContext {
  b: LabBuilder;
  intent: FabricIntent;
  src: SourceMap;
  bag: DiagnosticBag;
  mtu: (cls: LinkClass) => number;
}
