// Stage 3 of load → validate → resolve: intent → LabModel. Every node, interface and link of the
// lab is decided here, deterministically (same intent, same model), so the containerlab file,
// the runtimes and the tag planner all read one truth. Node naming is in src/names/.
import { DiagnosticBag, DiagnosticsError } from '../errors/diagnostics.js';
import { LabBuilder } from './builder.js';
import { resolveHypervisors } from './hypervisors.js';
import { sortDiagnostics, type LoadedIntent } from './load.js';
import type { LabModel, LinkClass } from './model.js';
import { linkMtu } from './mtu.js';
import type { ResolveContext } from './resolve-context.js';
import { checkRootNames, resolveExtras } from './resolve-extras.js';
import { resolveFabric } from './resolve-fabric.js';
import { resolveImpair } from './resolve-impair.js';
import { resolveTenants } from './resolve-tenants.js';

export { PROVIDER_BRIDGE_DEV, PROVIDER_VNI, PROVIDER_VXLAN_DEV, VXLAN_PORT } from './resolve-fabric.js';
export { derivedMac } from './resolve-tenants.js';

/** intent → LabModel. Throws DiagnosticsError for problems only visible after allocation. */
export function resolve(loaded: LoadedIntent, source: string): LabModel {
  const { intent, src } = loaded;
  const tenantMtu = intent.mtu ?? 1500;
  const ctx: ResolveContext = {
    b: new LabBuilder(intent.name),
    intent,
    src,
    bag: new DiagnosticBag(),
    mtu: (cls: LinkClass) => linkMtu(cls, tenantMtu),
  };
  resolveFabric(ctx);
  resolveTenants(ctx);
  resolveHypervisors(ctx.b, intent, ctx.bag, src, ctx.mtu);
  resolveExtras(ctx);
  resolveImpair(ctx);
  checkRootNames(ctx);
  if (!ctx.bag.ok) throw new DiagnosticsError('resolve', sortDiagnostics(ctx.bag.items));
  return ctx.b.model(source, intent);
}
