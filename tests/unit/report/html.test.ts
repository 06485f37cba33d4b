import { expect } from 'chai';
import type { CaptureManifest } from '../../../src/capture/manifest.js';
import { pcapHref, renderHtml, topologySvg } from '../../../src/report/index.js';
import { golden } from '../../helpers/golden.js';
import { fixture } from './fixture.js';
import { parseXml, findAll } from './xml-check.js';

const GOLDEN = new URL('../../golden/report/', import.meta.url).pathname;

describe('report/html', () => {
  it('matches the golden file for the failed fixture (deterministic output)', () => {
    const r = fixture('mtdc-failed');
    const a = renderHtml(r);
    expect(renderHtml(fixture('mtdc-failed'))).to.equal(a);
    golden(`${GOLDEN}mtdc-failed.html`, a);
  });

  it('is self-contained: no script, no external resource, no network', () => {
    const h = renderHtml(fixture('mtdc-failed'));
    expect(h).to.not.match(/<script/i);
    expect(h).to.not.match(/\s(src|srcset)=/i);
    expect(h).to.not.match(/<link\b/i);
    expect(h).to.not.match(/url\(/i);
    expect(h).to.not.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(h).to.contain("default-src 'none'");
  });

  it('shows every check with its state, and the verdict', () => {
    const r = fixture('mtdc-failed');
    const h = renderHtml(r);
    expect(h).to.contain('id="verdict">FAILED<');
    for (const c of r.checks) {
      const row = new RegExp(
        `<tr id="check-${c.id}" class="check ${c.state}" data-check="${c.id}" data-state="${c.state}">.*?${c.title.replace(/[+()]/g, '\\$&')}`,
      );
      expect(h).to.match(row);
    }
    expect(renderHtml(fixture('mtdc-passed'))).to.contain('id="verdict">PASSED<');
  });

  it('links evidence to pcaps relative to the run dir, URI-encoded', () => {
    const h = renderHtml(fixture('mtdc-failed'));
    expect(h).to.contain('href="green-k3-v1--eth1.pcap"');
    expect(pcapHref('a b#1.pcap')).to.equal('a%20b%231.pcap');
    expect(pcapHref('x.pcap', '../run')).to.equal('../run/x.pcap');
    expect(renderHtml(fixture('mtdc-failed'), { pcapBase: 'captures/mtdc/r1' })).to.contain(
      'href="captures/mtdc/r1/dc1-pe--p1.pcap"',
    );
  });

  it('marks the mismatching block red with the expected value, and only that hop', () => {
    const h = renderHtml(fixture('mtdc-failed'));
    const bad = h.match(/<div class="hopcard bad"/g) ?? [];
    expect(bad).to.have.length(2); // green's two flows leave dc1-sw with red's Tag1
    expect(h).to.match(
      /class="blk tag1 mismatch"[^>]*><span class="k">Tag1 802\.1ad<\/span><span class="v">101<\/span><span class="want">expected Tag1 802\.1ad 106<\/span>/,
    );
    expect(h.match(/class="hopcard exp"/g)).to.have.length(1); // the uncaptured last hop
    expect(renderHtml(fixture('mtdc-passed'))).to.not.match(/class="blk [a-z0-9-]+ (mismatch|missing)"/);
  });

  it('a hop expected but never observed (ok false, no observed line) is red, every block marked missing', () => {
    const r = fixture('mtdc-passed');
    const h0 = r.hops[0]!.hops[0]!;
    r.hops[0]!.hops[0] = { link: h0.link, class: h0.class, from: h0.from, to: h0.to, expected: h0.expected, ok: false };
    const h = renderHtml(r);
    expect(h.match(/<div class="hopcard bad"/g)).to.have.length(1);
    expect(h).to.contain('expected, not observed');
    expect(h).to.match(/class="blk eth-client missing"/);
  });

  it('escapes hostile names everywhere', () => {
    const r = fixture('mtdc-passed');
    r.checks[0]!.title = '<img src=x onerror=alert(1)>';
    r.topology.nodes[0]!.name = '"><script>x</script>';
    r.hops[0]!.flow = '<b>flow</b>';
    const h = renderHtml(r);
    expect(h).to.not.contain('<img src=x');
    expect(h).to.not.contain('<script>');
    expect(h).to.contain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('lists capture files from the manifest, with drops and flags', () => {
    const manifest = {
      files: [
        {
          file: 'b--p1.pcap',
          node: 'b',
          ifname: 'p1',
          peer: { node: 'a', ifname: 'p1' },
          linkClass: 'dc-fabric',
          packets: 10,
          dropped: 2,
          flags: ['drops'],
        },
      ],
      totals: { packets: 10, dropped: 2 },
    } as unknown as CaptureManifest;
    const h = renderHtml(fixture('mtdc-passed'), { manifest });
    expect(h).to.contain('<a class="mono" href="b--p1.pcap">b--p1.pcap</a>');
    expect(h).to.contain('<span class="flag">drops</span>');
  });

  it('the mutation section shows the score and the survivor', () => {
    const h = renderHtml(fixture('mtdc-failed'));
    expect(h).to.contain('Mutation self-check: score 80% (4/5 killed)');
    expect(h).to.match(/data-mutation="flood-leak"><td><span class="badge survived">/);
    expect(renderHtml(fixture('mtdc-passed'))).to.not.contain('Mutation self-check');
  });
});

describe('report/topology-svg', () => {
  it('draws every node once and every link, as well-formed SVG without overlapping boxes', () => {
    const r = fixture('mtdc-failed');
    const { svg } = topologySvg(r.topology);
    const doc = parseXml(svg);
    const nodes = findAll(doc, 'g').filter((g) => g.attrs.class === 'node');
    expect(nodes.map((g) => g.attrs['data-node']).sort()).to.deep.equal(r.topology.nodes.map((n) => n.name).sort());
    expect(findAll(doc, 'path').filter((p) => p.attrs.class === 'link')).to.have.length(r.topology.links.length);
    const rects = nodes
      .map((g) => g.children.find((c) => c.name === 'rect')!.attrs)
      .map((a) => ({ x: +a.x!, y: +a.y!, w: +a.width!, h: +a.height! }));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!,
          b = rects[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${nodes[i]!.attrs['data-node']} overlaps ${nodes[j]!.attrs['data-node']}`).to.equal(false);
      }
    }
    // Tenant nodes carry their tenant; links their class.
    expect(nodes.filter((g) => g.attrs['data-tenant'] === 'green')).to.have.length(12);
    expect(new Set(findAll(doc, 'path').map((p) => p.attrs['data-class']))).to.include.members([
      'long-haul',
      'provider',
      'dc-interconnect',
    ]);
  });

  it('copes with nodes without a DC or tenant and an empty topology', () => {
    const { svg } = topologySvg({
      nodes: [{ name: 'x', role: 'vm', dc: null, tenant: null }],
      links: [{ id: 'l', class: 'hypervisor', a: 'x', b: 'missing' }],
    });
    expect(findAll(parseXml(svg), 'g').filter((g) => g.attrs.class === 'node')).to.have.length(1);
    expect(() => parseXml(topologySvg({ nodes: [], links: [] }).svg)).to.not.throw();
  });
});
