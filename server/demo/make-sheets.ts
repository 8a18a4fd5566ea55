// Writes the two built-in demos as spreadsheets in the import format, which the
// demo loader imports like any user's file (server/demo/load.ts):
//   server/demo/langson-135.xlsx   Lạng Sơn 135-KH/TU (2023): centre → province → 11 districts → communes
//   server/demo/langson-2026.xlsx  today's two-tier shape: centre → province → communes, wards, party committees, agencies
// Each has the sheets Điểm cầu, Loại điểm cầu, Thành phần, Chương trình, Hướng dẫn.
// Run after changing data.ts or two-tier.ts:  node --import tsx server/demo/make-sheets.ts
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agenda, Counts, DelegateGroup, Site, SiteInput } from '../../signaling/control.js';
import type { SiteKind } from '../../signaling/site-import.js';
import { agendaSheet } from '../site-tree/agenda.js';
import { groupsSheet, HELP_ROWS, kindsSheet, SHEET, sitesSheet } from '../site-tree/columns.js';
import { writeXlsx, type OutSheet } from '../site-tree/sheet.js';
import { demoAgenda, demoExpected, demoGroups, demoSites } from './data.js';
import { twoTierConference, twoTierExpected, twoTierGroups, twoTierKinds, twoTierSites, TWO_TIER_REPORT_KIND } from './two-tier.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEMO_SHEETS = { langson135: resolve(HERE, 'langson-135.xlsx'), langson2026: resolve(HERE, 'langson-2026.xlsx') };

/** The four levels of the 2023 tree, as kinds (the default kinds' ids, so groups and reports keep them). */
export const LANGSON_135_KINDS: SiteKind[] = [
  { id: 'centre', name: 'Trung ương', nameEn: 'Centre', rank: 0 },
  { id: 'province', name: 'Tỉnh', nameEn: 'Province', rank: 1 },
  { id: 'district', name: 'Huyện', nameEn: 'District', rank: 2 },
  { id: 'commune', name: 'Xã', nameEn: 'Commune', rank: 3 },
];

function withPaths(inputs: SiteInput[]): Site[] {
  const by = new Map<string, Site>();
  return inputs.map((s) => {
    const p = s.parent ? by.get(s.parent)! : undefined;
    const site = { hall: '', eligible: true, order: 0, ...s, path: p ? [...p.path, p.id] : [] } as Site;
    by.set(site.id, site);
    return site;
  });
}

type AgendaInput = { id: string; title: string; presenter: string; plannedStart: string; plannedDurationMin: number };
const asAgenda = (items: AgendaInput[]): Agenda => ({ items: items.map((i, order) => ({ ...i, order, state: 'pending' })), current: null, version: 0 });

function sheetsOf(sites: SiteInput[], kinds: SiteKind[], reportKind: string, groups: DelegateGroup[], expected: (s: SiteInput) => Counts, agenda: AgendaInput[]): OutSheet[] {
  const exp = new Map(sites.map((s) => [s.id, expected(s)]));
  const sorted = [...groups].sort((a, b) => a.level.localeCompare(b.level) || a.order - b.order);
  return [
    sitesSheet(withPaths(sites), sorted, exp), kindsSheet(kinds, reportKind), groupsSheet(sorted), agendaSheet(asAgenda(agenda)),
    { name: SHEET.help, header: HELP_ROWS[0]!, rows: HELP_ROWS.slice(1), widths: [140] },
  ];
}

export function twoTierAgenda(): AgendaInput[] {
  const rows: [string, string, number][] = [
    ['Khai mạc hội nghị (minh hoạ)', 'Ban Tổ chức hội nghị', 15],
    ['Chuyên đề 1: Những nội dung cơ bản, cốt lõi của Nghị quyết Đại hội XIV (minh hoạ)', 'Ban Tuyên giáo và Dân vận Trung ương', 90],
    ['Chuyên đề 2: Chương trình hành động thực hiện Nghị quyết (minh hoạ)', 'Văn phòng Trung ương Đảng', 60],
    ['Bế mạc hội nghị (minh hoạ)', 'Ban Tổ chức hội nghị', 15],
  ];
  let t = Date.parse(twoTierConference.plannedStart);
  return rows.map(([title, presenter, min], i) => {
    const local = new Date(t + 7 * 3600_000).toISOString().slice(0, 16);
    t += min * 60_000;
    return { id: `nd-${i + 1}`, title, presenter, plannedStart: `${local}:00+07:00`, plannedDurationMin: min };
  });
}

/** The sheets of each demo workbook, from data.ts and two-tier.ts. */
export function demoSheets(): Record<keyof typeof DEMO_SHEETS, OutSheet[]> {
  return {
    langson135: sheetsOf(demoSites(), LANGSON_135_KINDS, 'district', demoGroups, demoExpected, demoAgenda()),
    langson2026: sheetsOf(twoTierSites(), twoTierKinds, TWO_TIER_REPORT_KIND, twoTierGroups, twoTierExpected, twoTierAgenda()),
  };
}

export async function makeDemoSheets(): Promise<void> {
  for (const [k, sheets] of Object.entries(demoSheets()) as [keyof typeof DEMO_SHEETS, OutSheet[]][]) {
    await writeFile(DEMO_SHEETS[k], await writeXlsx(sheets));
    console.log(`wrote ${DEMO_SHEETS[k]} (${sheets[0]!.rows.length} sites)`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await makeDemoSheets();
