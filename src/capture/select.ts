// Which link ends to capture: every end of every link, or those matching a filter. A filter that
// names an unknown class, link or node is an error (a typo must not silently capture nothing).
import { FabricError } from '../errors/fabric-error.js';
import { captureStem, checkIfName, checkLinkId, checkNetns, checkNodeName } from '../names/index.js';
import type { CaptureStatusDoc } from './status.js';
import type { CaptureTarget } from './target.js';

export interface CaptureSelection {
  /** Link classes (e.g. `client-access`, `long-haul`). */
  classes?: string[];
  /** Link ids. */
  links?: string[];
  /** Nodes: only the ends on these nodes. */
  nodes?: string[];
}

export interface SelectResult {
  targets: CaptureTarget[];
  /** Ends that matched but cannot be captured (no namespace and no host interface). */
  skipped: { linkId: string; node: string; ifname: string; reason: string }[];
}

function unknown(what: string, names: string[], known: Iterable<string>): FabricError {
  return new FabricError('E_CAPTURE_SELECTION', `unknown ${what}: ${names.join(', ')}`, {
    hint: `known: ${[...new Set(known)].sort().join(', ') || '(none)'}`,
  });
}

/**
 * The fabric port names of a link's two ends, read from its id `<a>:<port>--<b>:<port>` (the
 * builder's form, e.g. `dc1-sw:p2--dc1-pe:p1`). A link whose id has another form keeps the kernel
 * interface names.
 */
export function portNames(link: {
  id: string;
  endpoints: readonly { node: string; ifname: string }[];
}): [string, string] {
  const [a, b] = link.endpoints;
  const fallback: [string, string] = [a!.ifname, b!.ifname];
  const head = `${a!.node}:`;
  const mid = `--${b!.node}:`;
  if (!link.id.startsWith(head)) return fallback;
  const cut = link.id.indexOf(mid, head.length);
  if (cut < 0) return fallback;
  const pa = link.id.slice(head.length, cut);
  const pb = link.id.slice(cut + mid.length);
  const ok = (p: string) => /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$/.test(p);
  return ok(pa) && ok(pb) ? [pa, pb] : fallback;
}

/**
 * The targets a capturer can open: a root-namespace end whose interface does not exist (the tap
 * of a guest that is not set up, e.g. after `fabric up --no-guests`) or is administratively down
 * (a failed host's port) carries nothing and tcpdump refuses it, so it is skipped with the reason.
 * `root` maps each root-namespace interface to its UP flag.
 */
export function capturable(targets: readonly CaptureTarget[], root: ReadonlyMap<string, boolean>): SelectResult {
  const out: SelectResult = { targets: [], skipped: [] };
  for (const t of targets) {
    const up = t.hostIf ? root.get(t.hostIf) : true;
    if (up === true) out.targets.push(t);
    else
      out.skipped.push({
        linkId: t.linkId,
        node: t.node,
        ifname: t.ifname,
        reason:
          up === undefined
            ? `interface ${t.hostIf} does not exist (its guest is not set up)`
            : `interface ${t.hostIf} is down`,
      });
  }
  return out;
}

export function selectTargets(status: CaptureStatusDoc, sel: CaptureSelection = {}): SelectResult {
  const has = (xs?: string[]) => xs !== undefined && xs.length > 0;
  const classes = new Set<string>(status.links.map((l) => l.class));
  const ids = new Set(status.links.map((l) => l.id));
  const nodes = new Set(status.links.flatMap((l) => l.endpoints.map((e) => e.node)));
  if (has(sel.classes) && sel.classes!.some((c) => !classes.has(c)))
    throw unknown(
      'link class',
      sel.classes!.filter((c) => !classes.has(c)),
      classes,
    );
  if (has(sel.links) && sel.links!.some((c) => !ids.has(c)))
    throw unknown(
      'link id',
      sel.links!.filter((c) => !ids.has(c)),
      ids,
    );
  if (has(sel.nodes) && sel.nodes!.some((c) => !nodes.has(c)))
    throw unknown(
      'node',
      sel.nodes!.filter((c) => !nodes.has(c)),
      nodes,
    );

  const targets: CaptureTarget[] = [];
  const skipped: SelectResult['skipped'] = [];
  const seen = new Map<string, string>();
  for (const link of status.links) {
    if (has(sel.classes) && !sel.classes!.includes(link.class)) continue;
    if (has(sel.links) && !sel.links!.includes(link.id)) continue;
    checkLinkId(link.id);
    const ports = portNames(link);
    link.endpoints.forEach((e, i) => {
      if (has(sel.nodes) && !sel.nodes!.includes(e.node)) return;
      checkNodeName(e.node);
      checkIfName(e.ifname);
      if (e.netns !== null) checkNetns(e.netns);
      else if (e.hostIf) checkIfName(e.hostIf);
      else {
        skipped.push({
          linkId: link.id,
          node: e.node,
          ifname: e.ifname,
          reason: 'no namespace and no host interface in the status document',
        });
        return;
      }
      if (e.via) {
        checkNetns(e.via.netns);
        checkIfName(e.via.ifname);
      }
      const id = captureStem(e.node, ports[i]!);
      const prior = seen.get(id);
      if (prior !== undefined) {
        throw new FabricError(
          'E_CAPTURE_SELECTION',
          `two link ends map to the capture file ${id}.pcap (links ${prior} and ${link.id})`,
          {
            hint: 'node/interface names must be unique per lab',
          },
        );
      }
      seen.set(id, link.id);
      const p = link.endpoints[1 - i]!;
      targets.push({
        id,
        linkId: link.id,
        linkClass: link.class,
        node: e.node,
        ifname: e.ifname,
        port: ports[i]!,
        netns: e.netns,
        hostIf: e.netns === null ? e.hostIf : null,
        ...(e.via ? { via: e.via } : {}),
        peer: { node: p.node, ifname: p.ifname, port: ports[1 - i]!, netns: p.netns, hostIf: p.hostIf ?? null },
      });
    });
  }
  return { targets, skipped };
}
