// XML 1.0 escaping. Decoded frames and failure messages may hold any character; the ones XML 1.0
// cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are written as a visible
// `\xNN` / `\uNNNN` text instead, so the document always parses.

const INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Character data (element content). */
export function xmlText(v: string): string {
  return v.replace(INVALID, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value (double-quoted); whitespace controls are kept as character references. */
export function xmlAttr(v: string): string {
  return xmlText(v)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** HTML text and attribute escaping (the HTML report): same rules, safe in both places. */
export function html(v: string | number): string {
  return xmlText(String(v)).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
