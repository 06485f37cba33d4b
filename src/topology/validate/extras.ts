// extra_nodes (kind from the registry, kind-specific attributes validated by the kind) and
// extra_links (endpoints `node:interface` on existing nodes, interface syntax by kind, one link
// per interface).
import type { Diagnostic } from '../../errors/diagnostics.js';
import { getKind, kindNames } from '../kinds/index.js';
import type { DocPath } from '../locate.js';
import { SAFE_NAME } from '../../names/index.js';
import { arr, entries, isName, isObj, isStr, type Checker } from './checker.js';

export function validateExtraNodes(c: Checker): void {
  const tenants = new Set(entries(c.data.tenants).map(([k]) => k));
  arr(c.data.extra_nodes).forEach((n, i) => {
    if (!isObj(n)) return;
    const np: DocPath = ['extra_nodes', i];
    if (n.dc !== undefined) c.checkDc(n.dc, [...np, 'dc']);
    if (isName(n.tenant) && !tenants.has(n.tenant)) {
      c.report(
        'E_UNKNOWN_TENANT',
        [...np, 'tenant'],
        `unknown tenant '${n.tenant}'`,
        `declared tenants: ${[...tenants].sort().join(', ') || '(none)'}`,
      );
    }
    if (!isStr(n.kind)) return;
    const kind = getKind(n.kind);
    if (!kind) {
      c.report(
        'E_UNKNOWN_KIND',
        [...np, 'kind'],
        `unknown kind '${n.kind}'`,
        `known kinds: ${kindNames().join(', ')} (canonical containerlab names; short aliases such as srl are not accepted)`,
      );
    } else {
      kind.validate(n, { src: c.src, path: np, report: (d: Diagnostic) => c.bag.add(d) });
    }
    if (isName(n.name))
      c.declareNode({ name: n.name, kind: n.kind, path: [...np, 'name'], key: false, what: `extra node ${n.name}` });
  });
}

export function validateExtraLinks(c: Checker): void {
  const used = new Map<string, DocPath>();
  arr(c.data.extra_links).forEach((l, i) => {
    if (!isObj(l)) return;
    for (const side of ['a', 'b'] as const) {
      const v = l[side];
      if (isStr(v)) checkEndpoint(c, used, v, ['extra_links', i, side]);
    }
  });
}

function checkEndpoint(c: Checker, used: Map<string, DocPath>, v: string, lp: DocPath): void {
  const colon = v.indexOf(':');
  const node = colon < 0 ? v : v.slice(0, colon);
  const ifname = colon < 0 ? '' : v.slice(colon + 1);
  if (!node || !ifname) {
    c.report(
      'E_LINK_ENDPOINT',
      lp,
      `link endpoint '${v}' is not node:interface`,
      'write endpoints as <node>:<interface>, e.g. red-c1-h1:eth2 or dc1-sw:p9',
    );
    return;
  }
  const decl = c.nodes.get(node);
  if (!decl) {
    const safe = SAFE_NAME.test(node);
    c.report(
      safe ? 'E_LINK_UNKNOWN_NODE' : 'E_BAD_NAME',
      lp,
      safe ? `link endpoint names unknown node '${node}'` : `link endpoint node '${node}' is not a valid node name`,
      'link to a generated node (<dc>-sw, <tenant>-<site>-<system>, ...) or declare it under extra_nodes',
    );
    return;
  }
  const kind = getKind(decl.kind);
  if (!kind) return; // E_UNKNOWN_KIND already reported
  const ref = kind.parseInterface(ifname);
  if (!ref.ok) {
    c.report(ref.code, lp, ref.message, ref.hint);
    return;
  }
  const key = `${node}:${ifname}`;
  const prev = used.get(key);
  if (prev) {
    c.report(
      'E_IF_IN_USE',
      lp,
      `interface ${key} is already used by another link${c.line(prev)}`,
      'an interface carries one link',
    );
    return;
  }
  used.set(key, lp);
}
