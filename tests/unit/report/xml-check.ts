// A small XML 1.0 well-formedness checker for the tests (no dependency): elements nest and close,
// attributes are quoted and unique, entity and character references are valid, no raw '<' or '&'
// in text, only characters XML allows. Returns a tiny DOM so tests can look at the structure.
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;

const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescape(s: string, where: string): string {
  if (BAD_CHAR.test(s)) throw new Error(`invalid XML character in ${where}`);
  return s.replace(/&([^;]*);?/g, (m, e: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & in ${where}`);
    if (e in ENT) return ENT[e]!;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(e);
    if (!num) throw new Error(`unknown entity &${e}; in ${where}`);
    const cp = num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10);
    if (cp === 0 || BAD_CHAR.test(String.fromCodePoint(cp))) throw new Error(`invalid character reference in ${where}`);
    return String.fromCodePoint(cp);
  });
}

export function parseXml(doc: string): XNode {
  let i = 0;
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const root: XNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XNode[] = [root];
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    if (text.includes('>') && /\]\]>/.test(text)) throw new Error(`]]> in text`);
    const top = stack[stack.length - 1]!;
    if (text.trim() && top === root) throw new Error('text outside the root element');
    top.text += unescape(text, `text of <${top.name}>`);
    if (lt < 0) break;
    if (doc.startsWith('<!--', lt)) {
      const e = doc.indexOf('-->', lt);
      if (e < 0) throw new Error('unterminated comment');
      i = e + 3;
      continue;
    }
    if (doc[lt + 1] === '/') {
      const m = NAME.exec(doc.slice(lt + 2));
      if (!m) throw new Error(`bad end tag at ${lt}`);
      const close = doc.indexOf('>', lt);
      if (doc.slice(lt + 2 + m[0].length, close).trim()) throw new Error(`junk in end tag at ${lt}`);
      const open = stack.pop()!;
      if (open.name !== m[0]) throw new Error(`</${m[0]}> closes <${open.name}>`);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(doc.slice(lt + 1));
    if (!m) throw new Error(`bad tag at ${lt}: ${doc.slice(lt, lt + 20)}`);
    const el: XNode = { name: m[0], attrs: {}, children: [], text: '' };
    let j = lt + 1 + m[0].length;
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(j))![0];
      j += ws.length;
      if (doc.startsWith('/>', j)) {
        j += 2;
        top.children.push(el);
        break;
      }
      if (doc[j] === '>') {
        j += 1;
        top.children.push(el);
        stack.push(el);
        break;
      }
      if (!ws) throw new Error(`missing space before attribute in <${el.name}>`);
      const a = /^([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*(["'])/.exec(doc.slice(j));
      if (!a) throw new Error(`bad attribute in <${el.name}> at ${j}: ${doc.slice(j, j + 20)}`);
      const q = a[2]!;
      const vEnd = doc.indexOf(q, j + a[0].length);
      if (vEnd < 0) throw new Error('unterminated attribute');
      const raw = doc.slice(j + a[0].length, vEnd);
      if (raw.includes('<')) throw new Error(`< in attribute ${a[1]}`);
      if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = unescape(raw, `attribute ${a[1]}`);
      j = vEnd + 1;
    }
    if (top === root && root.children.length > 1) throw new Error('more than one root element');
    i = j;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

export function findAll(n: XNode, name: string): XNode[] {
  const out: XNode[] = [];
  const walk = (x: XNode) => {
    if (x.name === name) out.push(x);
    x.children.forEach(walk);
  };
  walk(n);
  return out;
}
