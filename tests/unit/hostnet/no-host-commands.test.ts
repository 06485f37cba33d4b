import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Outside src/hostnet no file may run a host-networking command itself or import execa: every
// ovs-vsctl/ovs-ofctl/ovs-appctl/ip/tc/ethtool/tcpdump call goes through the adapter.
const SRC = new URL('../../../src/', import.meta.url).pathname;
const COMMANDS = ['ovs-vsctl', 'ovs-ofctl', 'ovs-appctl', 'ip', 'tc', 'ethtool', 'tcpdump'] as const;

// Words that follow a command name in an argv array or a command line (its first argument).
const FIRST_ARGS: Record<(typeof COMMANDS)[number], RegExp> = {
  'ovs-vsctl': /^(-.*|[a-z]+(-[a-z]+)*)$/,
  'ovs-ofctl': /^(-.*|[a-z]+(-[a-z]+)*)$/,
  'ovs-appctl': /^(-.*|[a-z]+(-[a-z/]+)*)$/,
  ip: /^(-.*|link|addr|address|route|neigh|netns|tuntap|rule|monitor)$/,
  tc: /^(-.*|qdisc|class|filter)$/,
  ethtool: /^-.*$/,
  tcpdump: /^-.*$/,
};

/**
 * Files that still run host commands themselves, each with who migrates it. The list only
 * shrinks: an entry whose file no longer offends fails the test, so it is removed with the
 * migration.
 */
const ALLOWED = new Map<string, string>([]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Token {
  kind: 'string' | 'template';
  text: string;
  /** Code before the token on the same statement (comments removed), trimmed. */
  before: string;
  /** Code after the token, up to 40 characters. */
  after: string;
}

/**
 * String and template literals of a TypeScript file (template parts between `${}` each count as
 * one), with comments and regular expression literals skipped.
 */
export function literals(src: string): Token[] {
  const out: Token[] = [];
  let code = '';
  let i = 0;
  const push = (kind: Token['kind'], text: string, end: number): void => {
    out.push({ kind, text, before: code.slice(-60).trimEnd(), after: src.slice(end, end + 40) });
    code += '""';
  };
  const regexCanStart = (): boolean => /(^|[(,=:[!&|?{};]|return)\s*$/.test(code);
  // Scans code until an unmatched '}' (inside a template's `${}`) or the end; returns the index after it.
  const scanCode = (inTemplate: boolean): void => {
    let depth = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '/' && src[i + 1] === '/') {
        while (i < src.length && src[i] !== '\n') i++;
      } else if (c === '/' && src[i + 1] === '*') {
        const end = src.indexOf('*/', i + 2);
        i = end < 0 ? src.length : end + 2;
      } else if (c === '/' && regexCanStart()) {
        let j = i + 1;
        let cls = false;
        while (j < src.length && src[j] !== '\n' && (cls || src[j] !== '/')) {
          if (src[j] === '\\') j++;
          else if (src[j] === '[') cls = true;
          else if (src[j] === ']') cls = false;
          j++;
        }
        code += 'RE';
        i = j + 1;
      } else if (c === "'" || c === '"') {
        let j = i + 1;
        while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
        push('string', src.slice(i + 1, j), j + 1);
        i = j + 1;
      } else if (c === '`') {
        i++;
        let text = '';
        while (i < src.length && src[i] !== '`') {
          if (src[i] === '\\') {
            text += src.slice(i, i + 2);
            i += 2;
          } else if (src[i] === '$' && src[i + 1] === '{') {
            text += '${}';
            i += 2;
            scanCode(true);
          } else text += src[i++];
        }
        i++;
        push('template', text, i);
      } else {
        if (inTemplate && c === '{') depth++;
        if (inTemplate && c === '}' && depth-- === 0) {
          i++;
          return;
        }
        code += c;
        i++;
      }
    }
  };
  scanCode(false);
  return out;
}

function nextLiteral(after: string): string | null {
  return /^\s*,\s*['"]([^'"]*)['"]/.exec(after)?.[1] ?? null;
}

/** Why a literal is a host command, or null. */
export function commandUse(t: Token): string | null {
  if (t.kind === 'template' || t.text.includes(' ')) {
    // Only host fan-out lines (`--net=<ns> ip -batch f`) are commands; other text naming a command
    // is a guest's shell script, a containerlab exec line or help text.
    if (!/^--net=/.test(t.text)) return null;
    const m = /(?:^|\s)(ovs-vsctl|ovs-ofctl|ovs-appctl|ip|tc|ethtool|tcpdump)\s+(\S+)/.exec(t.text);
    if (m && FIRST_ARGS[m[1] as (typeof COMMANDS)[number]].test(m[2]!) && /^-|^[a-z]+$/.test(m[2]!)) {
      if (m[1]!.startsWith('ovs-') ? /^(-|add|del|set|clear|list|dump|bundle|mod|replace)/.test(m[2]!) : true)
        return `command line "${m[0]!.trim()}"`;
    }
    return null;
  }
  const cmd = COMMANDS.find((c) => c === t.text);
  if (!cmd) return null;
  const b = t.before;
  const next = nextLiteral(t.after);
  if (next !== null && FIRST_ARGS[cmd].test(next)) return `argv ['${cmd}', '${next}', ...]`;
  if (/(^|[([?=]|\?\?|return|\b(file|bin|cmd|command|program)\s*:)$/.test(b)) return `'${cmd}' as a program`;
  // `cond ? x : 'ip'` (a ternary's else), not `key: 'ip'` (a property).
  if (/\?[^:;]*:$/.test(b) && !/\b[A-Za-z_]\w*\s*:$/.test(b.replace(/\?[^:;]*:$/, ''))) return `'${cmd}' as a program`;
  return null;
}

function offences(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  if (/from\s+['"]execa['"]/.test(src)) out.push('imports execa');
  for (const t of literals(src)) {
    const why = commandUse(t);
    if (why) out.push(why);
  }
  return out;
}

describe('hostnet: host commands only inside src/hostnet', () => {
  const files = walk(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !f.startsWith('hostnet/'))
    .sort();

  it('no file outside src/hostnet runs ovs-*/ip/tc/ethtool/tcpdump or imports execa (allow-list aside)', () => {
    const bad = files
      .filter((f) => !ALLOWED.has(f))
      .map((f) => [f, offences(join(SRC, f))] as const)
      .filter(([, o]) => o.length)
      .map(([f, o]) => `${f}: ${o.join('; ')}`);
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });

  it('every allow-listed file still needs its entry (the list only shrinks)', () => {
    const stale = [...ALLOWED.keys()].filter((f) => !files.includes(f) || offences(join(SRC, f)).length === 0);
    expect(stale, `remove from ALLOWED: ${stale.join(', ')}`).to.deep.equal([]);
  });

  it('recognises command uses and leaves data alone', () => {
    const uses = (src: string): string[] =>
      literals(src)
        .map(commandUse)
        .filter((x): x is string => x !== null);
    expect(uses(`run('ip', ['-j', 'link'])`)).to.have.length(1);
    expect(uses(`const a = ['ovs-vsctl', '--may-exist', 'add-port']`)).to.have.length(1);
    expect(uses(`x = ['netns', 'exec', ns, 'ethtool', '-K', i]`)).to.have.length(1);
    expect(uses('lines.push(`--net=${p} ip -batch ${f}`)')).to.have.length(1);
    expect(uses(`f(spec.netns ? 'ip' : QEMU)`)).to.have.length(1);
    expect(uses(`const bin = o.bin ?? 'tcpdump'`)).to.have.length(1);
    expect(uses(`import { execa } from 'execa'`)).to.deep.equal([]);
    expect(uses(`{ name: 'tc', bits: 3 }; out: ['label', 'tc', 's']; p = [...yp, 'ip']`)).to.deep.equal([]);
    expect(uses(`// run('ip', ['link'])\nkind: 'ovs-bridge'; tool: 'tcpdump'`)).to.deep.equal([]);
    expect(uses(`hint: 'names reaching ovs-ofctl must be short'`)).to.deep.equal([]);
    expect(
      uses("cmds.push(`ip link set ${n} up`); s = `a ${x ? `b` : \"c\"} d`; r = /'/; run('ip', [])"),
    ).to.have.length(1);
  });
});
