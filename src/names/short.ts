// Readable root-namespace names within Linux's 15-character limit (IFNAMSIZ).
//
// OVS bridges and their ports (host-side veth ends) live in the root namespace, which every lab on
// the machine shares, and a netdev bridge creates a tap of its own name. A person reads them in
// `ovs-vsctl show`, `ip link` and tcpdump, so they are abbreviations, not hashes:
//   bridge  <lab part>-<node part>            mtdc-dc1-sw, mtdc-grn-c1-sw, flvr-grn-c0-sw
//   port    <lab part>-<node part>_<index>    mtdc-dc1-sw_7, mtdc-gr-c1-sw_3
// The lab part has no '-' (the first '-' separates it from the node) and at most LAB_PART_MAX
// characters; '_' occurs only before a port index, so a port never equals a bridge.
//
// Abbreviating (words are the '-'-separated parts): the name is kept when it fits; otherwise
// vowels after a word's first letter go (longest word first: green → grn), then the longest word
// loses its last letter (leftmost first) down to two letters, then the '-' separators go, then
// words shrink to one letter, then the end is cut.
//
// Abbreviations can coincide (green-c1-sw and grn-c1-sw), so a lab allocates its names in one
// RootNames: a name already taken gets the next variant, the abbreviation one digit shorter plus
// a number (mtdc-gr-c1-sw2), numbered on for as long as the name fits. Inside a lab every
// generated name is therefore unique. Thousands of nodes may share one abbreviation (t1000 to
// t1999 in a lab at the node limit), so each abbreviation remembers the variant it reached. Across labs
// different lab parts keep names apart; two labs whose lab parts coincide can only meet on the
// same machine, where the deploy refuses an object carrying another lab's marker (E_NAME_CLASH).
import { FabricError } from '../errors/fabric-error.js';
import { IFNAMSIZ } from './check.js';

/** Longest lab part of a root-namespace name. */
export const LAB_PART_MAX = 6;
const VOWEL_AFTER_FIRST = /(?<=.)[aeiou]/g;

function fits(words: string[], sep: string, budget: number): boolean {
  return words.join(sep).length <= budget;
}

/** Index of the longest word (leftmost on ties) longer than `floor`, or -1. */
function longest(words: string[], floor: number): number {
  let best = -1;
  words.forEach((w, i) => {
    if (w.length > floor && (best < 0 || w.length > words[best]!.length)) best = i;
  });
  return best;
}

/** Cuts the longest word by one letter until the words fit or none is longer than `floor`. */
function shrink(words: string[], sep: string, budget: number, floor: number): boolean {
  for (let i = longest(words, floor); !fits(words, sep, budget) && i >= 0; i = longest(words, floor))
    words[i] = words[i]!.slice(0, -1);
  return fits(words, sep, budget);
}

/**
 * Deterministic readable abbreviation of `text` in at most `budget` characters (budget ≥ 1).
 * Words are runs of letters and digits; they are joined with `sep` while that fits.
 */
export function abbreviate(text: string, budget: number, sep = '-'): string {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (!words.length) return 'x';
  if (fits(words, sep, budget)) return words.join(sep);
  const byLength = words.map((_, i) => i).sort((a, b) => words[b]!.length - words[a]!.length || a - b);
  for (const i of byLength) {
    words[i] = words[i]!.replace(VOWEL_AFTER_FIRST, '');
    if (fits(words, sep, budget)) return words.join(sep);
  }
  if (shrink(words, sep, budget, 2)) return words.join(sep);
  if (shrink(words, '', budget, 2)) return words.join('');
  if (shrink(words, '', budget, 1)) return words.join('');
  return words.join('').slice(0, budget);
}

/** The lab part of a root-namespace name: no '-', at most LAB_PART_MAX characters. */
export function labPart(lab: string): string {
  return abbreviate(lab, LAB_PART_MAX, '');
}

function nodePart(node: string, budget: number, variant: number): string {
  if (variant === 0) return abbreviate(node, budget);
  const n = String(variant + 1);
  return abbreviate(node, Math.max(1, budget - n.length)) + n;
}

/** Bridge name of `node` in lab `lab`; `variant` > 0 when the plain abbreviation is taken. */
export function shortBridgeName(lab: string, node: string, variant = 0): string {
  const l = labPart(lab);
  return `${l}-${nodePart(node, IFNAMSIZ - l.length - 1, variant)}`;
}

/** Name of port `index` of bridge node `node`; `variant` > 0 when the plain one is taken. */
export function shortPortName(lab: string, node: string, index: number, variant = 0): string {
  const l = labPart(lab);
  const tail = `_${index}`;
  return `${l}-${nodePart(node, IFNAMSIZ - l.length - 1 - tail.length, variant)}${tail}`;
}

/**
 * The root-namespace names of one lab, allocated in a fixed order (the resolver's), so the same
 * intent always gives the same names and no two objects of the lab share one.
 */
export class RootNames {
  private readonly taken = new Set<string>();
  private readonly ports = new Map<string, string>();
  /** Per plain abbreviation, the variant to try first: the ones below it are taken. */
  private readonly nextVariant = new Map<string, number>();

  constructor(readonly lab: string) {}

  /** Marks a name chosen elsewhere (a `bridge:` attribute, an explicit interface) as taken. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  bridge(node: string): string {
    return this.first(node, (v) => shortBridgeName(this.lab, node, v));
  }

  /** Port `index` of `node`: the same name every time it is asked for. */
  port(node: string, index: number): string {
    const key = `${node}\u0000${index}`;
    const known = this.ports.get(key);
    if (known) return known;
    const name = this.first(node, (v) => shortPortName(this.lab, node, index, v));
    this.ports.set(key, name);
    return name;
  }

  private first(node: string, make: (variant: number) => string): string {
    const plain = make(0);
    // The numbered variants grow by a digit every power of ten: they end when one no longer fits.
    for (let v = this.nextVariant.get(plain) ?? 0; ; v++) {
      const name = v === 0 ? plain : make(v);
      if (name.length > IFNAMSIZ) break;
      if (!this.taken.has(name)) {
        this.taken.add(name);
        this.nextVariant.set(plain, v + 1);
        return name;
      }
    }
    throw new FabricError('E_NAME_COLLISION', `no free root-namespace name for node ${node} of lab ${this.lab}`, {
      hint: 'shorten or rename the node, or give it a `bridge:` attribute',
    });
  }
}
