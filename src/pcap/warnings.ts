// Warning collection shared by both read paths, so they report identically (the differential test
// compares them): the first few of each kind are kept and announced, the rest are only counted and
// summarised at the end, so a file with a million snaplen-cut frames does not grow memory.
import { escapeControl } from './escape.js';
import { linktypeName } from './format.js';
import type { CaptureWarning, CaptureWarningCode } from './types.js';

export const WARNINGS_PER_CODE = 10;

export class WarningSink {
  readonly list: CaptureWarning[] = [];
  readonly counts = new Map<CaptureWarningCode, number>();
  constructor(
    readonly file: string,
    private readonly onWarning?: (w: CaptureWarning) => void,
  ) {}

  warn(code: CaptureWarningCode, frame: number | undefined, message: string): void {
    const c = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, c);
    if (c > WARNINGS_PER_CODE) return;
    const w: CaptureWarning = {
      code,
      file: this.file,
      // Interface names and file names reach the message: it is printed, so it is escaped.
      message: escapeControl(`${this.file}: ${frame !== undefined ? `frame ${frame}: ` : ''}${message}`),
    };
    if (frame !== undefined) w.frame = frame;
    this.list.push(w);
    this.onWarning?.(w);
  }

  /** Adds one summary warning per code that went over the cap. */
  summarise(): void {
    for (const [code, c] of this.counts) {
      if (c <= WARNINGS_PER_CODE) continue;
      const w: CaptureWarning = {
        code,
        file: this.file,
        message: escapeControl(`${this.file}: ${c} frames with ${code} in total (${c - WARNINGS_PER_CODE} not listed)`),
      };
      this.list.push(w);
      this.onWarning?.(w);
    }
  }
}

/** Per-record checks common to every format; call it only when caplen === 0 or caplen !== len. */
export function checkRecord(sink: WarningSink, n: number, caplen: number, len: number): void {
  if (caplen === 0) sink.warn('zero-length', n, `zero-length frame (0 bytes captured, original length ${len})`);
  else if (caplen < len)
    sink.warn('snaplen-cut', n, `frame cut by the snap length (${caplen} of ${len} bytes captured)`);
  else if (caplen > len)
    sink.warn(
      'caplen-over-len',
      n,
      `captured length ${caplen} is greater than the original length ${len} (the record header is wrong)`,
    );
}

export function linktypeMessage(linktype: number, ifName: string | undefined): string {
  return `linktype ${linktype} (${linktypeName(linktype)}) is not decoded (Ethernet, Linux cooked SLL/SLL2 and raw IP are); frames${ifName !== undefined ? ` on ${ifName}` : ''} are reported as raw`;
}

export function truncationMessage(frame: number, what: string): string {
  return `the file is truncated: it ends inside frame ${frame}, ${what}; that frame is not shown`;
}
