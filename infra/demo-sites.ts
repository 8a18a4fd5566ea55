// The demo conference's site tree (Lạng Sơn, Plan 135-KH/TU) and which media
// node serves which site. Commune ids are numbered `<district>-NN`; the count
// per district approximates Lạng Sơn's 2023 commune-level units (≈200 in all),
// real names not being at hand.

export const CONFERENCE_ID = 'ls-135';
export const CENTRE = 'tw';
export const PROVINCE = 'ls';

/** District id → number of communes, wards and towns (approximate). */
export const DISTRICTS: Record<string, { name: string; communes: number }> = {
  'ls-tpls': { name: 'Thành phố Lạng Sơn', communes: 8 },
  'ls-trangdinh': { name: 'Tràng Định', communes: 22 },
  'ls-vanlang': { name: 'Văn Lãng', communes: 17 },
  'ls-vanquan': { name: 'Văn Quan', communes: 17 },
  'ls-binhgia': { name: 'Bình Gia', communes: 19 },
  'ls-bacson': { name: 'Bắc Sơn', communes: 20 },
  'ls-huulung': { name: 'Hữu Lũng', communes: 24 },
  'ls-chilang': { name: 'Chi Lăng', communes: 20 },
  'ls-caoloc': { name: 'Cao Lộc', communes: 22 },
  'ls-locbinh': { name: 'Lộc Bình', communes: 21 },
  'ls-dinhlap': { name: 'Đình Lập', communes: 12 },
};

export function communesOf(district: string): string[] {
  const n = DISTRICTS[district]?.communes ?? 0;
  return Array.from({ length: n }, (_, i) => `${district}-${String(i + 1).padStart(2, '0')}`);
}

/** One media node of the demo cascade. */
export interface DemoNode {
  nodeId: string;
  /** Parent node id; null for the root. */
  parent: string | null;
  /** Sites it hosts, home site first. */
  sites: string[];
}

/** Districts that run their own media node in the demo; the others are served by the province node. */
export const DISTRICT_NODES: Record<string, string> = { 'd-trangdinh': 'ls-trangdinh', 'd-caoloc': 'ls-caoloc' };

export function demoNodes(): DemoNode[] {
  const own = new Set(Object.values(DISTRICT_NODES));
  const provinceSites = [PROVINCE];
  for (const d of Object.keys(DISTRICTS)) if (!own.has(d)) provinceSites.push(d, ...communesOf(d));
  return [
    { nodeId: 'centre', parent: null, sites: [CENTRE] },
    { nodeId: 'langson', parent: 'centre', sites: provinceSites },
    ...Object.entries(DISTRICT_NODES).map(([nodeId, d]) => ({ nodeId, parent: 'langson', sites: [d, ...communesOf(d)] })),
  ];
}

/** The node serving a site, by the demo tree. */
export function nodeOfSite(site: string, nodes: DemoNode[] = demoNodes()): string {
  const n = nodes.find((x) => x.sites.includes(site));
  if (!n) throw new Error(`no demo node serves site ${site}`);
  return n.nodeId;
}
