// All three reports at once, into one folder (normally the run dir, so the HTML's pcap links work).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConformanceReport } from './result.js';
import { writeHtml, type HtmlOptions } from './html.js';
import { writeJson } from './json.js';
import { writeJunit } from './junit.js';

export interface WrittenReports {
  json: string;
  junit: string;
  html: string;
}

export async function writeReports(
  report: ConformanceReport,
  dir: string,
  o: HtmlOptions = {},
): Promise<WrittenReports> {
  await mkdir(dir, { recursive: true });
  const out = { json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), html: join(dir, 'report.html') };
  await writeJson(report, out.json);
  await writeJunit(report, out.junit, { pcapBase: o.pcapBase });
  await writeHtml(report, out.html, o);
  return out;
}
