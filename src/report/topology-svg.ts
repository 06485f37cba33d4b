// The topology picture: an inline SVG with one column per datacenter and a core band above them
// (P and provider routers, nodes without a DC). Inside a DC column, top to bottom: gateways
// (interconnect switches, PEs), the DC switch, the tenant access switches grouped per tenant on a
// tinted band, and each switch's endpoints stacked below it. Boxes are coloured by role, links by
// class, tenants by a stripe and their band. Pure layout arithmetic: same input, same SVG.
import type { TopologyPicture } from './result.js';
import { CLASS_COLOR, CLASS_WIDTH, ROLE_COLOR, ROLE_INK, tenantColors } from './palette.js';
import { html } from './xml.js';

type Node = TopologyPicture['nodes'][number];
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  node: Node;
  label: string;
}

const BW = 74; // box width
const BH = 24;
const GAP = 10;
const COL_GAP = 46;
const PAD = 20;
const ROW = { core: 50, gateway: 150, dcsw: 215, access: 300, endpoint: 350 };
const EP_STEP = 32;

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const GATEWAY_ROLES = new Set(['interconnect', 'pe']);
const TENANT_SWITCH_ROLES = new Set(['access-switch', 'hypervisor']);

/** The label inside a box: tenant nodes drop their tenant prefix (the stripe shows the tenant). */
function shortName(n: Node): string {
  const t = n.tenant && n.name.startsWith(n.tenant + '-') ? n.name.slice(n.tenant.length + 1) : n.name;
  return t.length > 12 ? t.slice(0, 11) + '…' : t;
}

export interface TopologySvgResult {
  svg: string;
  width: number;
  height: number;
}

interface Band {
  x: number;
  y: number;
  w: number;
  h: number;
  tenant: string;
}

interface Layout {
  nodes: Node[];
  boxes: Map<string, Box>;
  bands: Band[];
  columns: { dc: string; x: number; w: number }[];
  core: Node[];
  tenants: Map<string, string>;
  totalW: number;
  height: number;
}

/** Where every box goes: one column per DC, tenant bands, the core band above. */
function layout(topo: TopologyPicture): Layout {
  const nodes = [...topo.nodes].sort(byName);
  const adj = new Map<string, string[]>();
  for (const l of topo.links) {
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
  }
  const tenants = tenantColors(nodes.map((n) => n.tenant).filter((t): t is string => !!t));
  const boxes = new Map<string, Box>();
  const bands: Band[] = [];
  const columns: { dc: string; x: number; w: number }[] = [];
  const dcs = [...new Set(nodes.map((n) => n.dc).filter((d): d is string => !!d))].sort();

  let x = PAD;
  let maxY = ROW.endpoint;
  const place = (n: Node, bx: number, by: number) =>
    boxes.set(n.name, { x: bx, y: by, w: BW, h: BH, node: n, label: shortName(n) });
  for (const dc of dcs) {
    const inDc = nodes.filter((n) => n.dc === dc);
    const gateways = inDc.filter((n) => GATEWAY_ROLES.has(n.role));
    const dcsw = inDc.filter((n) => n.role === 'dc-switch');
    const switches = inDc
      .filter(
        (n) =>
          TENANT_SWITCH_ROLES.has(n.role) ||
          (n.tenant && n.role !== 'endpoint' && !GATEWAY_ROLES.has(n.role) && n.role !== 'dc-switch'),
      )
      .sort((a, b) => ((a.tenant ?? '') + '\u0000' + a.name < (b.tenant ?? '') + '\u0000' + b.name ? -1 : 1));
    const placed = new Set([...gateways, ...dcsw, ...switches].map((n) => n.name));
    // Endpoints go under the first switch they are linked to; the rest form their own row.
    const under = new Map<string, Node[]>();
    const loose: Node[] = [];
    for (const n of inDc) {
      if (placed.has(n.name)) continue;
      const parent = (adj.get(n.name) ?? []).filter((p) => switches.some((s) => s.name === p)).sort()[0];
      if (parent) (under.get(parent) ?? under.set(parent, []).get(parent)!).push(n);
      else loose.push(n);
    }
    // Tenant groups are separated by a wider gap.
    let cx = 0;
    const slots: { n: Node; x: number }[] = [];
    let prevTenant: string | null | undefined;
    for (const s of switches) {
      if (prevTenant !== undefined && s.tenant !== prevTenant) cx += GAP * 2;
      slots.push({ n: s, x: cx });
      cx += BW + GAP;
      prevTenant = s.tenant;
    }
    const looseW = loose.length * (BW + GAP);
    const width = Math.max(
      cx - GAP,
      gateways.length * (BW + GAP) - GAP,
      dcsw.length * (BW + GAP) - GAP,
      looseW - GAP,
      BW * 2,
    );
    const row = (ns: Node[], y: number) => {
      const w = ns.length * (BW + GAP) - GAP;
      ns.forEach((n, i) => place(n, x + (width - w) / 2 + i * (BW + GAP), y));
    };
    row(gateways, ROW.gateway);
    row(dcsw, ROW.dcsw);
    const offset = (width - (cx - GAP)) / 2;
    for (const { n, x: sx } of slots) {
      place(n, x + offset + sx, ROW.access);
      const eps = (under.get(n.name) ?? []).sort(byName);
      eps.forEach((e, i) => place(e, x + offset + sx, ROW.endpoint + 12 + i * EP_STEP));
      maxY = Math.max(maxY, ROW.endpoint + 12 + eps.length * EP_STEP);
    }
    if (loose.length) {
      row(loose, maxY + 10);
      maxY += 10 + EP_STEP;
    }
    // One tinted band per tenant group, behind its switches and endpoints.
    for (const t of [...new Set(switches.map((s) => s.tenant).filter((v): v is string => !!v))]) {
      const xs = slots.filter((s) => s.n.tenant === t).map((s) => x + offset + s.x);
      const depth = Math.max(...slots.filter((s) => s.n.tenant === t).map((s) => (under.get(s.n.name) ?? []).length));
      bands.push({
        x: Math.min(...xs) - 5,
        y: ROW.access - 18,
        w: Math.max(...xs) - Math.min(...xs) + BW + 10,
        h: 18 + BH + 12 + depth * EP_STEP + 8,
        tenant: t,
      });
    }
    columns.push({ dc, x: x - 10, w: width + 20 });
    x += width + COL_GAP;
  }
  const totalW = Math.max(x - COL_GAP + PAD, 400);
  // Core band: every node without a DC, centred above the columns.
  const core = nodes.filter((n) => !n.dc);
  const coreW = core.length * (BW + GAP * 3) - GAP * 3;
  core.forEach((n, i) => place(n, (totalW - coreW) / 2 + i * (BW + GAP * 3), ROW.core));
  const height = maxY + 24;

  return { nodes, boxes, bands, columns, core, tenants, totalW, height };
}

/** The canvas, the core band, the DC columns and the tenant bands (behind links and boxes). */
function backgroundSvg(topo: TopologyPicture, l: Layout): string[] {
  const { nodes, bands, columns, core, tenants, totalW, height } = l;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 ${totalW} ${height}" width="${totalW}" height="${height}" role="img" aria-label="topology">`,
  );
  out.push(`<title>topology: ${nodes.length} nodes, ${topo.links.length} links</title>`);
  if (core.length) {
    out.push(
      `<rect class="core-band" x="${PAD - 10}" y="${ROW.core - 28}" width="${totalW - 2 * PAD + 20}" height="${BH + 40}" rx="8" fill="#fff7ed" stroke="#fdba74"/>`,
    );
    out.push(`<text x="${PAD}" y="${ROW.core - 12}" class="col-title">long haul / provider</text>`);
  }
  for (const c of columns) {
    out.push(
      `<g class="dc" data-dc="${html(c.dc)}"><rect x="${c.x}" y="${ROW.gateway - 32}" width="${c.w}" height="${height - ROW.gateway + 24}" rx="10" fill="#f8fafc" stroke="#cbd5e1"/>`,
    );
    out.push(`<text x="${c.x + 10}" y="${ROW.gateway - 14}" class="col-title">${html(c.dc)}</text></g>`);
  }
  for (const b of bands) {
    const col = tenants.get(b.tenant) ?? '#999';
    out.push(
      `<rect class="tenant-band" data-tenant="${html(b.tenant)}" x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6" fill="${col}" fill-opacity="0.09" stroke="${col}" stroke-opacity="0.5" stroke-dasharray="4 3"/>`,
    );
    out.push(`<text x="${b.x + 4}" y="${b.y + 12}" class="band-title" fill="${col}">${html(b.tenant)}</text>`);
  }
  return out;
}

/** Links: straight lines; links between boxes on one row arc upwards; parallel links fan out. */
function linksSvg(topo: TopologyPicture, boxes: Map<string, Box>): string[] {
  const out: string[] = [];
  const pairCount = new Map<string, number>();
  const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
  const links = [...topo.links].sort((a, b) => (a.id < b.id ? -1 : 1));
  out.push('<g class="links">');
  for (const l of links) {
    const a = boxes.get(l.a),
      b = boxes.get(l.b);
    if (!a || !b) continue;
    const key = [l.a, l.b].sort().join('\u0000');
    const k = pairCount.get(key) ?? 0;
    pairCount.set(key, k + 1);
    const p = centre(a),
      q = centre(b);
    const col = CLASS_COLOR[l.class] ?? '#999';
    const w = CLASS_WIDTH[l.class] ?? 1.5;
    const fan = k === 0 ? 0 : (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 14;
    let d: string;
    if (Math.abs(p.y - q.y) < 1) {
      const lift = 46 + Math.abs(p.x - q.x) * 0.08 + fan;
      d = `M${p.x.toFixed(1)},${(p.y - BH / 2).toFixed(1)} Q${((p.x + q.x) / 2).toFixed(1)},${(p.y - lift).toFixed(1)} ${q.x.toFixed(1)},${(q.y - BH / 2).toFixed(1)}`;
    } else if (fan) {
      const mx = (p.x + q.x) / 2 + fan,
        my = (p.y + q.y) / 2;
      d = `M${p.x.toFixed(1)},${p.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${q.x.toFixed(1)},${q.y.toFixed(1)}`;
    } else {
      d = `M${p.x.toFixed(1)},${p.y.toFixed(1)} L${q.x.toFixed(1)},${q.y.toFixed(1)}`;
    }
    out.push(
      `<path class="link" data-link="${html(l.id)}" data-class="${html(l.class)}" d="${d}" fill="none" stroke="${col}" stroke-width="${w}"><title>${html(`${l.id} (${l.class})`)}</title></path>`,
    );
  }
  return out;
}

function nodesSvg(boxes: Map<string, Box>, tenants: Map<string, string>): string[] {
  const out: string[] = [];
  for (const b of [...boxes.values()].sort((m, n) => byName(m.node, n.node))) {
    const n = b.node;
    const fill = ROLE_COLOR[n.role] ?? '#e5e7eb';
    const ink = ROLE_INK[n.role] ?? '#111827';
    const tcol = n.tenant ? tenants.get(n.tenant) : undefined;
    out.push(
      `<g class="node" data-node="${html(n.name)}" data-role="${html(n.role)}"${n.tenant ? ` data-tenant="${html(n.tenant)}"` : ''}>`,
    );
    out.push(
      `<title>${html(`${n.name} (${n.role}${n.dc ? `, ${n.dc}` : ''}${n.tenant ? `, tenant ${n.tenant}` : ''})`)}</title>`,
    );
    out.push(
      `<rect x="${b.x.toFixed(1)}" y="${b.y}" width="${b.w}" height="${b.h}" rx="${n.role === 'endpoint' || n.role === 'vm' ? 11 : 4}" fill="${fill}" stroke="${tcol ?? '#334155'}" stroke-width="${tcol ? 2 : 1}"/>`,
    );
    if (tcol) out.push(`<rect x="${b.x.toFixed(1)}" y="${b.y}" width="6" height="${b.h}" rx="2" fill="${tcol}"/>`);
    out.push(
      `<text x="${(b.x + b.w / 2 + (tcol ? 3 : 0)).toFixed(1)}" y="${b.y + 16}" text-anchor="middle" fill="${ink}" class="node-label">${html(b.label)}</text>`,
    );
    out.push('</g>');
  }
  return out;
}

export function topologySvg(topo: TopologyPicture): TopologySvgResult {
  const l = layout(topo);
  const out = [
    ...backgroundSvg(topo, l),
    ...linksSvg(topo, l.boxes),
    '</g><g class="nodes">',
    ...nodesSvg(l.boxes, l.tenants),
    '</g></svg>',
  ];
  return { svg: out.join('\n'), width: l.totalW, height: l.height };
}

/** The legend (HTML): roles, link classes and tenants present in the picture. */
export function topologyLegend(topo: TopologyPicture): string {
  const roles = [...new Set(topo.nodes.map((n) => n.role))].sort();
  const classes = [...new Set(topo.links.map((l) => l.class))].sort();
  const tenants = tenantColors(topo.nodes.map((n) => n.tenant).filter((t): t is string => !!t));
  const item = (sw: string, label: string) => `<span class="lg">${sw}${html(label)}</span>`;
  return [
    '<div class="legend">',
    '<div><b>roles</b> ',
    ...roles.map((r) => item(`<i class="sw box" style="background:${ROLE_COLOR[r] ?? '#e5e7eb'}"></i>`, r)),
    '</div>',
    '<div><b>links</b> ',
    ...classes.map((c) =>
      item(
        `<i class="sw line" style="background:${CLASS_COLOR[c] ?? '#999'};height:${Math.max(2, Math.round(CLASS_WIDTH[c] ?? 2))}px"></i>`,
        c,
      ),
    ),
    '</div>',
    '<div><b>tenants</b> ',
    ...[...tenants].map(([t, c]) => item(`<i class="sw box" style="background:${c}"></i>`, t)),
    '</div>',
    '</div>',
  ].join('');
}
