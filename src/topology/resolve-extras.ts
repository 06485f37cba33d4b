// Resolve: extra nodes and links (containerlab style, validated by kind at load), then the
// uniqueness of root-namespace names across the whole lab.
import type { InterfaceModel, LinkClass, NodeRole } from './model.js';
import { COMMON_ATTRIBUTES } from './kinds/base/index.js';
import { kindOf } from './kinds/index.js';
import type { ResolveContext } from './resolve-context.js';

export function resolveExtras(ctx: ResolveContext): void {
  const { b, intent, src, bag, mtu } = ctx;
  const common = new Set<string>(COMMON_ATTRIBUTES);
  (intent.extra_nodes ?? []).forEach((raw, i) => {
    const kind = kindOf(raw.kind);
    const attributes: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(raw)) if (!common.has(k)) attributes[k] = v as string | number | boolean;
    const node = b.addNode(raw.name, kind.name, (raw.role as NodeRole | undefined) ?? kind.defaultRole, {
      dc: raw.dc ?? null,
      tenant: raw.tenant ?? null,
      labels: { ...(raw.labels ?? {}) },
      origin: ['extra_nodes', i],
      bridge: typeof attributes.bridge === 'string' ? attributes.bridge : undefined,
    });
    if (Object.keys(attributes).length) node.attributes = attributes;
  });
  (intent.extra_links ?? []).forEach((raw, i) => {
    const ends = (['a', 'b'] as const).map((side) => {
      const text = raw[side];
      const colon = text.indexOf(':');
      const nodeName = text.slice(0, colon);
      const ref = text.slice(colon + 1);
      const node = b.node(nodeName);
      const kind = kindOf(node.kind);
      const parsed = kind.parseInterface(ref);
      if (!parsed.ok) throw new Error('resolve: link endpoints were validated');
      let iface: InterfaceModel;
      let inUse = false;
      if (parsed.index !== undefined) {
        if (parsed.index <= b.allocated(nodeName)) {
          inUse = true;
          bag.add(
            src.diag(
              'E_IF_IN_USE',
              ['extra_links', i, side],
              `port p${parsed.index} of ${nodeName} is already used by a generated link`,
              `the generated links of ${nodeName} use p1..p${b.allocated(nodeName)}: use p${b.allocated(nodeName) + 1} or higher`,
            ),
          );
        }
        iface = { name: b.ifName(nodeName, parsed.index), addresses: [] };
      } else {
        const name = parsed.name as string;
        if (node.interfaces.some((f) => f.name === name)) {
          inUse = true;
          bag.add(
            src.diag(
              'E_IF_IN_USE',
              ['extra_links', i, side],
              `interface ${name} of ${nodeName} is already used by a generated link`,
              'pick an interface name the node does not use yet (generated endpoints use eth1)',
            ),
          );
        }
        iface = { name, addresses: [] };
      }
      if (!inUse) node.interfaces.push(iface);
      return { node: nodeName, iface, label: parsed.index !== undefined ? `p${parsed.index}` : iface.name };
    });
    const cls = (raw.class ?? 'dc-fabric') as LinkClass;
    b.connect(cls, ends[0], ends[1], raw.mtu ?? mtu(cls));
  });
}

export function checkRootNames(ctx: ResolveContext): void {
  const { b, src, bag } = ctx;
  const rootNames = new Map<string, string>();
  for (const node of b.nodes.values()) {
    const kind = kindOf(node.kind);
    const names: [string, string][] = [];
    if (node.bridge) names.push([node.bridge, `bridge of ${node.name}`]);
    if (kind.bridgePorts || node.kind === 'host')
      for (const f of node.interfaces) names.push([f.name, `interface ${f.name} of ${node.name}`]);
    for (const [n, what] of names) {
      const prev = rootNames.get(n);
      if (prev !== undefined) {
        bag.add(
          src.diag(
            'E_NAME_COLLISION',
            b.origin.get(node.name) ?? [],
            `root-namespace name '${n}' (${what}) is also the ${prev}`,
            'rename the node or its `bridge:` attribute; names in the root namespace must be unique across the lab',
          ),
        );
      } else rootNames.set(n, what);
    }
  }
}
