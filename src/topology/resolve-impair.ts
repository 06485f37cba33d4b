// Puts each declared impair block on its link: an interconnect on its dedicated line, a long-haul
// path on its outbound PE's uplink to the first P router, the provider segment on the provider
// link, and impair_links by link id. Two blocks on one link must agree.
import { interconnectName, peName } from '../names/index.js';
import { isEmptyImpair, parseImpair, type ImpairIntent, type ImpairSpec } from './impair.js';
import type { DocPath } from './locate.js';
import type { LinkModel } from './model.js';
import type { ResolveContext } from './resolve-context.js';

const same = (a: ImpairSpec, b: ImpairSpec): boolean => JSON.stringify(a) === JSON.stringify(b);

export function resolveImpair(ctx: ResolveContext): void {
  const { b, intent, src, bag } = ctx;
  const by = new Map<LinkModel, DocPath>();
  const put = (link: LinkModel | undefined, raw: ImpairIntent | undefined, path: DocPath, what: string): void => {
    if (!raw) return;
    if (!link) {
      bag.add(
        src.diag(
          'E_IMPAIR_LINK',
          path,
          `${what} names no link of the lab`,
          'link ids are <node>:<if>--<node>:<if> as fabric status and fabric generate list them',
        ),
      );
      return;
    }
    const { spec, problems } = parseImpair(raw);
    if (problems.length || isEmptyImpair(spec)) return; // validate reported the values
    const before = by.get(link);
    if (before && link.impair && !same(link.impair, spec)) {
      bag.add(
        src.diag(
          'E_IMPAIR_LINK',
          [...path, 'impair'],
          `link ${link.id} already has a different impairment (${before.join('.')})`,
          'paths from one outbound DC share its PE uplink: give them the same impair block',
        ),
      );
      return;
    }
    by.set(link, path);
    link.impair = spec;
  };
  const find = (cls: LinkModel['class'], x: string, y: string): LinkModel | undefined =>
    b.links.find((l) => {
      const n = l.endpoints.map((e) => e.node);
      return l.class === cls && n.includes(x) && n.includes(y);
    });
  (intent.interconnects ?? []).forEach((ic, i) =>
    put(
      find('dc-interconnect', interconnectName(ic.between[0]), interconnectName(ic.between[1])),
      ic.impair,
      ['interconnects', i],
      `interconnects[${i}]`,
    ),
  );
  const lh = intent.long_haul;
  if (lh) {
    lh.paths.forEach((p, i) =>
      put(
        find('long-haul', peName(p.between[0]), lh.p_routers[0]!),
        p.impair,
        ['long_haul', 'paths', i],
        `long_haul.paths[${i}]`,
      ),
    );
    put(
      b.links.find((l) => l.class === 'provider'),
      lh.provider_segment.impair,
      ['long_haul', 'provider_segment'],
      'provider_segment',
    );
  }
  (intent.impair_links ?? []).forEach((e, i) =>
    put(
      b.links.find((l) => l.id === e.link),
      e.impair,
      ['impair_links', i, 'link'],
      `link ${JSON.stringify(e.link)}`,
    ),
  );
}
