// A delayed bullmq job per conference that reminds the organizer to send the
// roll-up report before its deadline.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ControlPushes, type Conference } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';

interface JobData { conf: string; deadline: string }
export const REMINDER_QUEUE = 'report-reminder';

export class ReminderService {
  readonly queue: Queue<JobData>;
  private worker: Worker<JobData>;
  private conn: Redis;

  constructor(private ctx: Ctx) {
    this.conn = ctx.redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false });
    const prefix = ctx.keys.bullPrefix;
    this.queue = new Queue<JobData>(REMINDER_QUEUE, { connection: this.conn, prefix });
    // a fetch refused during a Redis failover is tried again after runRetryDelay (15 s by default):
    // 2 s lets reminders follow the promotion as quickly as the writes do
    this.worker = new Worker<JobData>(REMINDER_QUEUE, (job) => this.fire(job), { connection: this.conn, prefix, runRetryDelay: 2000 });
    this.worker.on('error', (e) => ctx.log.warn({ err: e }, 'reminder worker error'));
  }

  /** (Re)schedules the reminder for the conference's current deadline. */
  async schedule(c: Conference) {
    const jobId = `remind__${c.id}__${Date.parse(c.reportDeadline)}`;
    const existing = await this.queue.getDelayed();
    for (const j of existing) if (j.data.conf === c.id && j.id !== jobId) await j.remove().catch(() => undefined);
    const delay = Math.max(0, Date.parse(c.reportDeadline) - this.ctx.opts.reminderLeadMs - Date.now());
    await this.queue.add('remind', { conf: c.id, deadline: c.reportDeadline }, { jobId, delay, removeOnComplete: true, removeOnFail: true });
  }

  private async fire(job: Job<JobData>) {
    const { conf, deadline } = job.data;
    const sent = (await this.ctx.redis.exists(this.ctx.keys.upward(conf))) === 1;
    const r = { conference: conf, deadline, sent, at: Date.now() };
    await this.ctx.redis.set(this.ctx.keys.reminder(conf), JSON.stringify(r));
    this.ctx.nsp?.to(rooms.org(conf)).emit(ControlPushes.reportReminder, r);
  }

  async close() {
    await this.worker.close(true).catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    await this.conn.quit().catch(() => this.conn.disconnect());
  }
}
