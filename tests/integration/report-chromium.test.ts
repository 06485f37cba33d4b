// Renders the HTML report of a fixture run in headless Chromium (Debian `chromium`, installed by
// scripts/install-deps.sh): the rendered DOM must show every check with its state, the verdict,
// the topology SVG with its nodes and links, and the hop pictures; a screenshot must be produced.
// No network: the page has no external resource, and Chromium's background networking is off.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import type { ConformanceReport } from '../../src/report/result.js';
import { renderHtml } from '../../src/report/index.js';

const FIXTURE = new URL('../fixtures/report/mtdc-failed.json', import.meta.url).pathname;
const CHROMIUM = ['chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) =>
  c.includes('/') ? existsSync(c) : true,
)!;

function chromiumArgs(userDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${userDir}`,
  ];
}

/** Decodes the few entities the DOM serializer writes in text. */
const text = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('report: HTML in headless Chromium', function () {
  this.timeout(120_000);
  let dir: string;
  let report: ConformanceReport;
  let page: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-chromium-'));
    report = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ConformanceReport;
    page = join(dir, 'report.html');
    writeFileSync(page, renderHtml(report));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the rendered DOM shows every check with its state, the verdict and the pictures', async () => {
    const r = await execa(CHROMIUM, [...chromiumArgs(join(dir, 'ud1')), '--dump-dom', `file://${page}`], {
      timeout: 90_000,
      reject: false,
    });
    expect(r.exitCode, r.stderr).to.equal(0);
    const dom = r.stdout;
    expect(dom).to.match(/<div class="verdict failed" id="verdict">FAILED<\/div>/);
    const rows = [
      ...dom.matchAll(/<tr id="check-[^"]*" class="check (\w+)" data-check="([^"]*)" data-state="(\w+)">(.*?)<\/tr>/gs),
    ];
    expect(rows.map((m) => m[2])).to.deep.equal(
      report.checks
        .map((c) => c.id)
        .sort((a, b) => {
          const order = report.suites;
          const sa = order.indexOf(a.split('/')[0]!),
            sb = order.indexOf(b.split('/')[0]!);
          return sa - sb || report.checks.findIndex((c) => c.id === a) - report.checks.findIndex((c) => c.id === b);
        }),
    );
    for (const c of report.checks) {
      const row = rows.find((m) => m[2] === c.id)!;
      expect(row[3], c.id).to.equal(c.state);
      expect(text(row[4]!), c.id).to.contain(c.title);
      expect(text(row[4]!), c.id).to.contain(c.state);
      for (const e of c.state === 'failed' ? c.evidence : []) expect(text(row[4]!)).to.contain(e.decoded);
    }
    // The topology SVG exists with one box per node and one path per link.
    expect(dom).to.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="topology"/);
    expect(dom.match(/<g class="node" /g)).to.have.length(report.topology.nodes.length);
    expect(dom.match(/<path class="link" /g)).to.have.length(report.topology.links.length);
    // One hop card per hop; the mismatching Tag1 is marked.
    expect(dom.match(/<div class="hopcard /g)).to.have.length(report.hops.reduce((s, f) => s + f.hops.length, 0));
    expect(dom).to.match(/class="blk tag1 mismatch"/);
    expect(dom).to.contain('Mutation self-check: score 80% (4/5 killed)');
  });

  it('renders a screenshot of the page', async () => {
    const png = join(dir, 'report.png');
    const r = await execa(
      CHROMIUM,
      [...chromiumArgs(join(dir, 'ud2')), `--screenshot=${png}`, '--window-size=1400,2000', `file://${page}`],
      { timeout: 90_000, reject: false },
    );
    expect(r.exitCode, r.stderr).to.equal(0);
    const buf = readFileSync(png);
    expect(buf.subarray(1, 4).toString('latin1')).to.equal('PNG');
    // IHDR: width and height of the rendered window.
    expect(buf.readUInt32BE(16)).to.equal(1400);
    expect(buf.readUInt32BE(20)).to.equal(2000);
    // A blank page compresses to a few KiB; this one has pictures and text.
    expect(statSync(png).size).to.be.greaterThan(100_000);
  });
});
