// Live state of one conference as signals: filled from the subscribe snapshot
// and kept current by the server's pushes. Every screen reads from here.
import { signal, computed, batch } from '@preact/signals';
import type {
  Agenda, Conference, DelegateGroup, Delivery, FloorState, Incident, Material, RehearsalResult, Rollup, Site,
  SiteAttendance, SitePresence, SiteWatch, Snapshot, ReportReminder, UpwardReport,
} from '../../signaling/control.js';
import type { ReplaySession } from '../../signaling/recording.js';

const key = (material: string, site: string) => `${material}:${site}`;

export class ConferenceStore {
  readonly conference = signal<Conference | null>(null);
  readonly you = signal<Snapshot['you'] | null>(null);
  readonly sites = signal<Site[]>([]);
  readonly groups = signal<DelegateGroup[]>([]);
  readonly agenda = signal<Agenda | null>(null);
  readonly floor = signal<FloorState | null>(null);
  readonly rollups = signal<Map<string, Rollup>>(new Map());
  readonly attendance = signal<Map<string, SiteAttendance>>(new Map());
  readonly presence = signal<Map<string, SitePresence>>(new Map());
  /** Organizer: what each site's halls really play, from the media nodes. */
  readonly watch = signal<Map<string, SiteWatch>>(new Map());
  readonly materials = signal<Material[]>([]);
  readonly deliveries = signal<Map<string, Delivery>>(new Map());
  readonly incidents = signal<Incident[]>([]);
  readonly rehearsals = signal<Map<string, RehearsalResult>>(new Map());
  /** Organizer: the upward report (the sent copy, else the latest preview); null until asked. */
  readonly upward = signal<UpwardReport | null>(null);
  /** Organizer: the service's reminder that the upward report is due. */
  readonly reminder = signal<ReportReminder | null>(null);
  /** Replay sessions ("học tập lại"): the organizer's every site, a site's own; never in the live figures. */
  readonly replays = signal<ReplaySession[]>([]);
  /**
   * Per site, the sequence its roll-up / own figures were read at (a snapshot's or a push's `seq`):
   * pushes from several control instances may arrive out of order, and an older one must not
   * overwrite a newer figure, nor a re-read snapshot a push that came in while it was on its way.
   */
  private ruAt = new Map<string, number>();
  private attAt = new Map<string, number>();

  readonly siteById = computed(() => new Map(this.sites.value.map((s) => [s.id, s])));
  readonly children = computed(() => {
    const m = new Map<string | null, Site[]>();
    for (const s of this.sites.value) {
      const list = m.get(s.parent) ?? [];
      list.push(s);
      m.set(s.parent, list);
    }
    for (const list of m.values()) list.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name, 'vi'));
    return m;
  });
  readonly current = computed(() => {
    const a = this.agenda.value;
    return a?.current ? a.items.find((i) => i.id === a.current) ?? null : null;
  });

  /** `fresh`: take every figure from the snapshot, even where a push brought a later-numbered one. */
  loadSnapshot(s: Snapshot, fresh = false): void {
    if (fresh) { this.ruAt.clear(); this.attAt.clear(); }
    batch(() => {
      this.conference.value = s.conference;
      this.you.value = s.you;
      this.sites.value = s.sites;
      this.groups.value = [...s.groups].sort((a, b) => a.order - b.order);
      this.agenda.value = s.agenda;
      this.floor.value = s.floor;
      this.rollups.value = this.merged(s.seq, s.rollups, this.rollups.value, this.ruAt);
      this.attendance.value = this.merged(s.seq, s.attendance, this.attendance.value, this.attAt);
      this.materials.value = s.materials;
      if (s.watch) this.watch.value = new Map(s.watch.map((w) => [w.site, w]));
      // Presence starts from the snapshot's online flags until a push says more.
      const pres = new Map(this.presence.value);
      for (const a of s.attendance) {
        const prev = pres.get(a.site);
        pres.set(a.site, { site: a.site, online: a.online, connections: prev?.connections ?? (a.online ? 1 : 0), totalMs: prev?.totalMs ?? 0, joins: prev?.joins ?? 0 });
      }
      this.presence.value = pres;
    });
  }

  /** The snapshot's items, except where a push newer than the snapshot already brought a later figure. */
  private merged<T extends { site: string }>(seq: number, items: T[], cur: Map<string, T>, at: Map<string, number>): Map<string, T> {
    const m = new Map<string, T>();
    const tags = new Map<string, number>();
    for (const x of items) {
      const mine = at.get(x.site) ?? -1;
      const kept = mine > seq ? cur.get(x.site) : undefined;
      m.set(x.site, kept ?? x);
      tags.set(x.site, kept ? mine : seq);
    }
    at.clear();
    for (const [k, v] of tags) at.set(k, v);
    return m;
  }

  /** A push's items read at `seq`; each replaces a figure read no later. */
  private pushed<T extends { site: string }>(seq: number, items: T[], sig: { value: Map<string, T> }, at: Map<string, number>): void {
    const fresh = items.filter((x) => (at.get(x.site) ?? -1) <= seq);
    if (!fresh.length) return;
    const m = new Map(sig.value);
    for (const x of fresh) { m.set(x.site, x); at.set(x.site, seq); }
    sig.value = m;
  }

  applyRollups(seq: number, rollups: Rollup[], sites: SiteAttendance[]): void {
    batch(() => {
      this.pushed(seq, rollups, this.rollups, this.ruAt);
      this.pushed(seq, sites, this.attendance, this.attAt);
    });
  }

  /** A site's figures as a write's answer gave them; with the write's `seq`, a push read earlier no longer replaces them. */
  setAttendance(a: SiteAttendance): void {
    if (a.seq !== undefined) { this.pushed(a.seq, [a], this.attendance, this.attAt); return; }
    const m = new Map(this.attendance.value);
    m.set(a.site, a);
    this.attendance.value = m;
  }

  applyAgenda(a: Agenda): void {
    const cur = this.agenda.value;
    if (cur && a.version < cur.version) return;
    this.agenda.value = a;
  }

  applyFloor(f: FloorState): void {
    const cur = this.floor.value;
    if (cur && f.version < cur.version) return;
    this.floor.value = f;
  }

  applyPresence(changes: SitePresence[]): void {
    const m = new Map(this.presence.value);
    for (const c of changes) m.set(c.site, c);
    this.presence.value = m;
  }

  applyWatch(changes: SiteWatch[]): void {
    const m = new Map(this.watch.value);
    for (const c of changes) m.set(c.site, c);
    this.watch.value = m;
  }

  applyDeliveries(changes: Delivery[]): void {
    const m = new Map(this.deliveries.value);
    for (const d of changes) {
      const prev = m.get(key(d.material, d.site));
      if (prev && (prev.version > d.version || (prev.version === d.version && prev.updatedAt > d.updatedAt))) continue;
      m.set(key(d.material, d.site), d);
    }
    this.deliveries.value = m;
  }

  delivery(material: string, site: string): Delivery | undefined {
    return this.deliveries.value.get(key(material, site));
  }

  upsertMaterial(mat: Material): void {
    const list = this.materials.value.filter((m) => m.id !== mat.id);
    list.push(mat);
    list.sort((a, b) => a.uploadedAt - b.uploadedAt);
    this.materials.value = list;
  }

  upsertIncident(i: Incident): void {
    const list = this.incidents.value.filter((x) => x.id !== i.id);
    list.unshift(i);
    list.sort((a, b) => b.createdAt - a.createdAt);
    this.incidents.value = list;
  }

  upsertReplays(list: ReplaySession[]): void {
    const m = new Map(this.replays.value.map((r) => [r.id, r]));
    for (const r of list) m.set(r.id, r);
    this.replays.value = [...m.values()].sort((a, b) => a.date.localeCompare(b.date) || a.createdAt - b.createdAt);
  }

  setRehearsals(list: RehearsalResult[]): void {
    const m = new Map(this.rehearsals.value);
    for (const r of list) {
      const prev = m.get(r.site);
      if (!prev || prev.at < r.at) m.set(r.site, r);
    }
    this.rehearsals.value = m;
  }

  /** Groups that apply to a site (by its level). */
  groupsFor(site: Site | undefined): DelegateGroup[] {
    return site ? this.groups.value.filter((g) => g.level === site.level) : [];
  }
}
