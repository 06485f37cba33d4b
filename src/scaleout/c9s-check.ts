// What clabernetes itself would say about a Topology, checked before the file is written:
// - the resource against clabernetes' CRD schema (schemas/c9s.run_topologies.yaml, vendored with
//   its license), and
// - the embedded containerlab definition against the refusals clabernetes' topology compiler
//   documents: pseudo-node kinds (bridge, ovs-bridge, host), link types other than veth/brief,
//   network modes other than container:<node>, special endpoints (mgmt-net, macvlan), unknown
//   nodes; and what it would silently drop (link labels and vars, labels Kubernetes refuses).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export function c9sCrdPath(): string {
  return fileURLToPath(new URL('../../schemas/c9s.run_topologies.yaml', import.meta.url));
}

let crdValidator: ValidateFunction | undefined;

/** Validates a Topology resource against the vendored CRD's openAPIV3Schema; returns the problems. */
export function validateC9sTopology(resource: unknown): string[] {
  if (!crdValidator) {
    const crd = parse(readFileSync(c9sCrdPath(), 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
    };
    const v1 = crd.spec.versions.find((v) => v.name === 'v1alpha1');
    if (!v1) throw new Error('c9s CRD: no v1alpha1 version');
    // strict:false and no format checks: the schema carries x-kubernetes-* keywords and
    // Kubernetes formats (int32, date-time) that ajv does not know.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, logger: false });
    crdValidator = ajv.compile(v1.schema.openAPIV3Schema);
  }
  const problems = crdValidator(resource)
    ? []
    : (crdValidator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  const r = resource as { apiVersion?: unknown; kind?: unknown };
  if (r.apiVersion !== 'c9s.run/v1alpha1') problems.push(`/apiVersion must be c9s.run/v1alpha1`);
  if (r.kind !== 'Topology') problems.push(`/kind must be Topology`);
  return problems;
}

export interface C9sVerdict {
  /** What clabernetes refuses (the Topology does not deploy). */
  refused: string[];
  /** What clabernetes accepts but drops. */
  dropped: string[];
}

const PSEUDO_KINDS = new Set(['bridge', 'ovs-bridge', 'host']);
const LINK_TYPES = new Set(['', 'brief', 'veth']);
const SPECIAL_ENDPOINTS = new Set(['mgmt-net', 'macvlan']);
// Kubernetes' qualified name (optional DNS prefix + name) and label value rules.
const LABEL_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

interface Definition {
  topology?: {
    nodes?: Record<string, { kind?: string; 'network-mode'?: string; labels?: Record<string, unknown> }>;
    links?: { type?: string; endpoints?: unknown; labels?: object; vars?: object }[];
  };
}

/** The refusals and drops of clabernetes' compiler for a containerlab definition (text). */
export function c9sVerdict(definition: string): C9sVerdict {
  const v: C9sVerdict = { refused: [], dropped: [] };
  const def = parse(definition) as Definition;
  const nodes = def.topology?.nodes ?? {};
  for (const [name, n] of Object.entries(nodes)) {
    if (PSEUDO_KINDS.has(n.kind ?? '')) v.refused.push(`node ${name}: pseudo-node kind ${n.kind}`);
    const mode = n['network-mode'];
    if (mode !== undefined && !/^container:[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(mode))
      v.refused.push(`node ${name}: network-mode ${mode} (only container:<node>)`);
    for (const [k, val] of Object.entries(n.labels ?? {}))
      if (!LABEL_NAME.test(k) || k.length > 316 || !LABEL_VALUE.test(String(val)) || k.startsWith('clabernetes/'))
        v.dropped.push(`node ${name}: label ${k}=${String(val)}`);
  }
  (def.topology?.links ?? []).forEach((l, i) => {
    if (l.labels && Object.keys(l.labels).length) v.dropped.push(`links[${i}]: link labels`);
    if (l.vars && Object.keys(l.vars).length) v.dropped.push(`links[${i}]: link vars`);
    if (!LINK_TYPES.has(l.type ?? '')) {
      v.refused.push(`links[${i}]: link type ${l.type}`);
      return;
    }
    // clabernetes 0.8 reads brief `node:interface` strings and explicit veth endpoints alike.
    const eps = Array.isArray(l.endpoints) ? (l.endpoints as unknown[]).map(endpointNode) : [];
    if (eps.length !== 2 || eps.some((e) => e === undefined)) {
      v.refused.push(`links[${i}]: endpoints are not two node:interface endpoints`);
      return;
    }
    for (const node of eps as string[]) {
      if (SPECIAL_ENDPOINTS.has(node)) v.refused.push(`links[${i}]: special endpoint ${node}`);
      else if (node !== 'host' && !Object.hasOwn(nodes, node)) v.refused.push(`links[${i}]: unknown node ${node}`);
    }
  });
  return v;
}

function endpointNode(e: unknown): string | undefined {
  if (typeof e === 'string') {
    const parts = e.split(':');
    return parts.length === 2 && parts[0] && parts[1] ? parts[0] : undefined;
  }
  if (e && typeof e === 'object') {
    const o = e as { node?: unknown; interface?: unknown };
    return typeof o.node === 'string' && typeof o.interface === 'string' ? o.node : undefined;
  }
  return undefined;
}
