// Shared helpers for the capture tests: temp files and plain Ethernet frames built by hand (the
// capture layer must not depend on the decoder).
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openCapture,
  type CaptureFrame,
  type CaptureWarning,
  type OpenCaptureOptions,
} from '../../../src/pcap/index.js';

export function tempDir(): { dir: string; file(name: string, data?: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-pcap-'));
  return {
    dir,
    file(name, data) {
      const p = join(dir, name);
      if (data) writeFileSync(p, data);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ethFrame(seq: number, size = 64): Uint8Array {
  const b = new Uint8Array(size);
  b.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5]);
  for (let i = 14; i < size; i++) b[i] = (seq * 31 + i) & 0xff;
  return b;
}

export async function readAll(
  path: string,
  opts: OpenCaptureOptions = {},
): Promise<{ frames: CaptureFrame[]; warnings: CaptureWarning[] }> {
  const cap = await openCapture(path, opts);
  const frames: CaptureFrame[] = [];
  for await (const f of cap) frames.push(f);
  return { frames, warnings: cap.warnings };
}

/** Byte-level edits of an encoded file. */
export function u32le(b: Uint8Array, off: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(off, v, true);
  return c;
}
