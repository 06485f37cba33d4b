// The default kind every kind extends (containerlab style: a registry keyed by the YAML `kind:`
// over a default base). A kind says which extra attributes it accepts, how its interfaces are
// named and referenced, and how it renders into a containerlab node.
import type { ErrorCode } from '../../../errors/codes/index.js';
import type { Diagnostic } from '../../../errors/diagnostics.js';
import type { DocPath, SourceMap } from '../../locate.js';
import type { NodeKind, NodeModel, NodeRole } from '../../model.js';
import { IFNAMSIZ, SAFE_IFNAME } from '../../../names/index.js';

/** Attributes every extra node may carry, whatever its kind. */
export const COMMON_ATTRIBUTES = ['name', 'kind', 'role', 'dc', 'tenant', 'labels'] as const;

export interface AttributeSpec {
  type: 'string' | 'number' | 'boolean';
  required?: boolean;
  description: string;
  /** Extra check; returns a problem as [code, message, hint]. */
  check?: (value: unknown) => [ErrorCode, string, string] | undefined;
}

export interface KindContext {
  src: SourceMap;
  /** Path of the node in the document (e.g. ['extra_nodes', 2]). */
  path: DocPath;
  report(d: Diagnostic): void;
}

/** A link endpoint interface reference, parsed by the node's kind. */
export type InterfaceRef =
  | {
      ok: true;
      /** 1-based port index for bridge kinds */ index?: number;
      /** interface name for others */ name?: string;
    }
  | { ok: false; code: ErrorCode; message: string; hint: string };

/** A containerlab node (subset of the schema's node-config we emit). */
export interface ClabNode {
  kind: NodeKind;
  image?: string;
  /** `none` on every container node: no management interface (a path around the fabric). */
  'network-mode'?: string;
  labels?: Record<string, string>;
  exec?: string[];
}

export abstract class BaseKind {
  abstract readonly name: NodeKind;
  readonly defaultRole: NodeRole = 'endpoint';
  /** Interfaces are root-namespace ports (OVS or Linux bridge), named by names.portName. */
  readonly bridgePorts: boolean = false;
  readonly attributes: Record<string, AttributeSpec> = {};
  readonly description: string = '';

  /** Validates the kind-specific attributes of an extra node. */
  validate(raw: Record<string, unknown>, ctx: KindContext): void {
    const common = new Set<string>(COMMON_ATTRIBUTES);
    for (const [key, value] of Object.entries(raw)) {
      if (common.has(key)) continue;
      const spec = Object.hasOwn(this.attributes, key) ? this.attributes[key] : undefined;
      if (!spec) {
        const allowed = Object.keys(this.attributes);
        ctx.report(
          ctx.src.diag(
            'E_KIND_ATTR',
            [...ctx.path, key],
            `kind ${this.name} has no attribute '${key}'`,
            allowed.length
              ? `${this.name} accepts: ${allowed.join(', ')}`
              : `${this.name} takes no attributes besides ${COMMON_ATTRIBUTES.join(', ')}`,
            { key: true },
          ),
        );
        continue;
      }
      if (typeof value !== spec.type) {
        ctx.report(
          ctx.src.diag(
            'E_KIND_ATTR',
            [...ctx.path, key],
            `attribute '${key}' of kind ${this.name} must be a ${spec.type}`,
            spec.description,
          ),
        );
        continue;
      }
      const problem = spec.check?.(value);
      if (problem) ctx.report(ctx.src.diag(problem[0], [...ctx.path, key], problem[1], problem[2]));
    }
    for (const [key, spec] of Object.entries(this.attributes)) {
      if (spec.required && !(key in raw)) {
        ctx.report(
          ctx.src.diag('E_KIND_ATTR', ctx.path, `kind ${this.name} requires attribute '${key}'`, spec.description),
        );
      }
    }
  }

  /** Name of the node's `index`-th interface (1-based) when the resolver allocates it. */
  interfaceName(_lab: string, _node: string, index: number): string {
    return `eth${index}`;
  }

  /** Parses the interface part of an `extra_links` endpoint (`node:<ref>`). */
  parseInterface(ref: string): InterfaceRef {
    if (!SAFE_IFNAME.test(ref)) {
      return {
        ok: false,
        code: 'E_BAD_NAME',
        message: `interface name '${ref}' is not allowed`,
        hint: 'interface names match [a-zA-Z][a-zA-Z0-9_-]* (no dots, no shell metacharacters)',
      };
    }
    if (ref.length > IFNAMSIZ) {
      return {
        ok: false,
        code: 'E_NAME_TOO_LONG',
        message: `interface name '${ref}' has ${ref.length} characters, Linux allows ${IFNAMSIZ}`,
        hint: 'shorten the interface name to at most 15 characters',
      };
    }
    if (ref === 'eth0') {
      return {
        ok: false,
        code: 'E_LINK_UNKNOWN_IF',
        message: `interface eth0 is the management interface in containerlab`,
        hint: 'use eth1 or higher for lab links',
      };
    }
    return { ok: true, name: ref };
  }

  /** Name of the node in the containerlab topology. */
  clabName(node: NodeModel): string {
    return node.name;
  }

  render(node: NodeModel): ClabNode {
    return { kind: this.name, labels: sortedLabels(node.labels) };
  }
}

export function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Common parsing of `p<N>` port references for bridge kinds. */
export function parsePortRef(kind: string, ref: string): InterfaceRef {
  const m = /^p([1-9][0-9]{0,3})$/.exec(ref);
  if (!m) {
    return {
      ok: false,
      code: 'E_LINK_UNKNOWN_IF',
      message: `${kind} node has no interface '${ref}'`,
      hint: `ports of ${kind} nodes are written p<N> (N = 1..9999); the root-namespace name is derived from the lab and node names`,
    };
  }
  return { ok: true, index: Number(m[1]) };
}
