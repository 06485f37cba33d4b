// A containerlab topology file read as containerlab reads it: the nodes (kind, image, exec, binds,
// cmd, network-mode, labels) and the veth links. Every name that will reach a command is checked
// here, and every problem is located (file:line:col) through the parsed YAML document.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { DiagnosticBag } from '../../errors/diagnostics.js';
import { FabricError } from '../../errors/fabric-error.js';
import { isIfName, isLabName, isMac, isNodeName } from '../../names/index.js';
import { validateClab } from '../../topology/clab.js';
import { SourceMap, type DocPath } from '../../topology/locate.js';

export interface ClabFileNode {
  name: string;
  kind: string;
  image?: string;
  cmd?: string;
  /** `none`, or absent (containerlab's management network on eth0). */
  networkMode?: string;
  exec: string[];
  binds: string[];
  labels: Record<string, string>;
}

export interface ClabFileEnd {
  node: string;
  ifname: string;
  mac?: string;
}

export interface ClabFileLink {
  a: ClabFileEnd;
  b: ClabFileEnd;
  mtu?: number;
  labels: Record<string, string>;
}

export interface ClabFile {
  file: string;
  lab: string;
  nodes: Map<string, ClabFileNode>;
  links: ClabFileLink[];
  /** The document as plain data (what attach compares with the generator's output). */
  data: unknown;
  source: SourceMap;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : []);

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** Parses YAML text into data and a source map; E_CLAB_FILE (located) when it does not parse. */
export function parseClabText(text: string, file: string): { data: unknown; source: SourceMap } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const source = new SourceMap(basename(file), doc, lines);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new FabricError('E_CLAB_FILE', `${e.message.split('\n')[0]}`, {
      location: `${basename(file)}:${line}:${col}`,
      hint: 'a containerlab topology is YAML; regenerate it with fabric generate <lab>',
    });
  }
  return { data: doc.toJS() as unknown, source };
}

/** Reads and checks a topology file: containerlab's schema, then the names that reach commands. */
export function readClabFile(file: string): ClabFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FabricError('E_CLAB_FILE', `cannot read ${file}`, {
      hint: 'write it with fabric generate <lab> (labs/<lab>/<lab>.clab.yml)',
      cause: err,
    });
  }
  const { data, source } = parseClabText(text, file);
  const bag = new DiagnosticBag();
  const add = (path: DocPath, msg: string, hint?: string) => bag.add(source.diag('E_CLAB_FILE', path, msg, hint));
  const schema = validateClab(data);
  for (const p of schema.slice(0, 5)) add([], `containerlab schema: ${p}`);
  bag.throwIfAny(`${basename(file)}`);
  const root = data as Obj;
  const lab = String(root.name);
  if (!isLabName(lab)) add(['name'], `lab name ${JSON.stringify(lab)} cannot name containers and namespaces`);
  const topo = root.topology as Obj;
  const nodes = new Map<string, ClabFileNode>();
  for (const [name, raw] of Object.entries(isObj(topo.nodes) ? topo.nodes : {})) {
    const n = isObj(raw) ? raw : {};
    if (!isNodeName(name)) add(['topology', 'nodes', name], `node name ${JSON.stringify(name)} is not usable`);
    const kind = String(n.kind ?? '');
    if (kind !== 'linux' && kind !== 'ovs-bridge')
      add(
        ['topology', 'nodes', name, 'kind'],
        `kind ${JSON.stringify(kind)}: this stand-in deploys linux and ovs-bridge nodes only`,
        'generic_vm and other kinds need containerlab itself',
      );
    if (kind === 'ovs-bridge' && !isIfName(name))
      add(['topology', 'nodes', name], `ovs-bridge ${name} is longer than a bridge name may be (15 characters)`);
    const node: ClabFileNode = {
      name,
      kind,
      exec: strings(n.exec),
      binds: strings(n.binds),
      labels: labelsOf(n.labels),
    };
    if (typeof n.image === 'string') node.image = n.image;
    if (typeof n.cmd === 'string') node.cmd = n.cmd;
    if (typeof n['network-mode'] === 'string') node.networkMode = n['network-mode'];
    if (kind === 'linux' && !node.image) add(['topology', 'nodes', name], `linux node ${name} names no image`);
    nodes.set(name, node);
  }
  const links: ClabFileLink[] = [];
  const rawLinks = Array.isArray(topo.links) ? topo.links : [];
  rawLinks.forEach((raw, i) => {
    const l = isObj(raw) ? raw : {};
    const eps = Array.isArray(l.endpoints) ? l.endpoints : [];
    const ends: ClabFileEnd[] = [];
    eps.forEach((ep, j) => {
      const path: DocPath = ['topology', 'links', i, 'endpoints', j];
      // containerlab's short form "node:ifname" and the long form both name a node and an interface.
      const e = isObj(ep)
        ? { node: String(ep.node), ifname: String(ep.interface), mac: ep.mac }
        : { node: String(ep).split(':')[0]!, ifname: String(ep).split(':')[1] ?? '', mac: undefined };
      if (!nodes.has(e.node))
        add(path, `endpoint names node ${JSON.stringify(e.node)}, which the file does not define`);
      if (!isIfName(e.ifname)) add(path, `interface name ${JSON.stringify(e.ifname)} is not usable`);
      if (e.mac !== undefined && !isMac(e.mac)) add(path, `MAC ${JSON.stringify(e.mac)} does not parse`);
      ends.push({ node: e.node, ifname: e.ifname, ...(typeof e.mac === 'string' ? { mac: e.mac } : {}) });
    });
    if (ends.length !== 2) {
      add(['topology', 'links', i], 'a veth link has exactly two endpoints');
      return;
    }
    const link: ClabFileLink = { a: ends[0]!, b: ends[1]!, labels: labelsOf(l.labels) };
    if (typeof l.mtu === 'number') link.mtu = l.mtu;
    links.push(link);
  });
  bag.throwIfAny(`${basename(file)}`);
  return { file, lab, nodes, links, data, source };
}
