// Handlers of RecordingRoutes (signaling/recording.ts), spread into server/handlers.ts.
import { createReadStream } from 'node:fs';
import { AppError } from '../../signaling/common.js';
import type { RecordingRoutes } from '../../signaling/recording.js';
import { assertConf, type Auth } from '../auth.js';
import type { Ctx } from '../context.js';
import { FileOut } from '../http/download.js';
import { getAgenda } from '../store/agenda.js';
import { getConference, siteRecord } from '../store/conference.js';
import { uploadMaterial } from '../store/materials.js';
import { audit, auditLog } from './audit.js';
import { itemFile, wholeFile, type BuiltFile } from './files.js';
import { listSegments, removeSegments } from './segments.js';
import { actor, currentId, getRecord, setMode, updateRecord } from './store.js';
import { listViews, recordingView, statusOf } from './view.js';
import { recKeys } from './keys.js';
import { withLock } from '../store/util.js';

interface Input { params: any; query: any; body: any }
type Handler = (ctx: Ctx, a: Auth, i: Input) => Promise<unknown>;

/** The file of a recording, or of one agenda item in it (its chapter). */
async function fileOf(ctx: Ctx, conf: string, id: string, item?: string): Promise<{ file: BuiltFile; name: string; title: string | null }> {
  await getRecord(ctx, conf, id);
  const segs = await listSegments(ctx, conf, id);
  if (!item) return { file: await wholeFile(ctx, conf, id, segs), name: `ghi-hinh-${conf}-${id}.webm`, title: null };
  const view = await recordingView(ctx, conf, id);
  const ch = view.chapters.find((c) => c.item === item);
  if (!ch) {
    const known = (await getAgenda(ctx, conf)).items.some((i) => i.id === item);
    throw new AppError('NOT_FOUND', known
      ? `Nội dung ${item} không có trong bản ghi ${id} (chưa diễn ra khi đang ghi); hãy chọn nội dung khác hoặc tải cả bản ghi. / Item ${item} is not in recording ${id}; pick another item or download the whole recording.`
      : `Không có nội dung ${item} trong chương trình. / No agenda item ${item}.`);
  }
  return { file: await itemFile(ctx, conf, id, segs, ch), name: `ghi-hinh-${conf}-${id}-${item}.webm`, title: ch.title };
}

export const recordingHandlers: Record<keyof typeof RecordingRoutes, Handler> = {
  getRecordingStatus: async (c, a, { params }) => { assertConf(a, params.conf); await getConference(c, params.conf); return statusOf(c, params.conf); },
  setRecordingMode: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    await setMode(c, params.conf, body.mode, actor(a));
    return statusOf(c, params.conf);
  },
  listRecordings: async (c, a, { params }) => { assertConf(a, params.conf); return listViews(c, params.conf); },
  getRecording: async (c, a, { params }) => { assertConf(a, params.conf); return recordingView(c, params.conf, params.recording); },
  downloadRecording: async (c, a, { params, query }) => {
    assertConf(a, params.conf);
    const { file, name } = await fileOf(c, params.conf, params.recording, query.item);
    return new FileOut(file.path, file.size, file.etag, 'video/webm', name);
  },
  pushRecording: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    const { conf, recording } = params as { conf: string; recording: string };
    if (!c.blobs) throw new AppError('UNAVAILABLE', 'the material store is not ready');
    if (body.targets !== 'all') for (const s of body.targets as string[]) await siteRecord(c, conf, s);
    const conference = await getConference(c, conf);
    const { file, name, title } = await fileOf(c, conf, recording, body.item ?? undefined);
    const m = await uploadMaterial(c, c.blobs, conf, {
      title: body.title ?? `Ghi hình: ${title ?? conference.title} (${recording})`,
      filename: name,
      targets: body.targets === 'all' ? 'all' : (body.targets as string[]).join(','),
      mime: 'video/webm',
      // a recording may be far larger than an organizer's upload; the segments' own limit bounds it
      maxBytes: Math.max(c.opts.maxUploadBytes, file.size),
    }, createReadStream(file.path));
    const by = actor(a);
    await updateRecord(c, conf, recording, (r) => ({ ...r, pushes: [...r.pushes, { material: m.id, item: body.item ?? null, targets: body.targets, at: Date.now(), by }] }));
    await audit(c, conf, { by, action: 'push', recording, detail: `${m.id} → ${body.targets === 'all' ? 'tất cả điểm cầu / all sites' : (body.targets as string[]).join(', ')}${body.item ? ` (${body.item})` : ''}` });
    return m;
  },
  recordingLog: async (c, a, { params }) => { assertConf(a, params.conf); await getConference(c, params.conf); return auditLog(c, params.conf); },
  deleteRecording: async (c, a, { params, query }) => {
    assertConf(a, params.conf);
    const { conf, recording } = params as { conf: string; recording: string };
    if (query.confirm !== recording) throw new AppError('BAD_REQUEST', `Để xoá, hãy xác nhận đúng mã bản ghi "${recording}". / To delete, confirm with the recording id "${recording}".`);
    await withLock(c, `rec:${conf}`, async () => {
      await getRecord(c, conf, recording);
      if ((await currentId(c, conf)) === recording) {
        throw new AppError('CONFLICT', 'Bản ghi đang được ghi; hãy tắt ghi hình trước rồi xoá. / This recording is being written; switch recording off first, then delete it.');
      }
      await c.redis.hdel(recKeys(c).list(conf), recording);
    });
    await removeSegments(c, conf, recording);
    await audit(c, conf, { by: actor(a), action: 'delete', recording, detail: 'đã xoá bản ghi và các đoạn / recording and its segments deleted' });
    return { id: recording, deleted: true as const };
  },
};
