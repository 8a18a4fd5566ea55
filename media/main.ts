// Media node entry: `node --import tsx media/main.ts --config <file.json>`
// (or env / flags, see config.ts). Prints `media node <id> listening <url>` when ready.
// Enrolled: `MEDIA_NODE_ID=<id> CONTROL_URL=<url> ENROL_CODE=<code>` and nothing else
// (the port, announced address and TLS stay local settings).
import { resolve } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { isEnrolled, loadConfig } from './config.js';
import { EnrolError, enrolNode, type Enrolment } from './enrol.js';
import { startMediaNode } from './node.js';

async function main(): Promise<void> {
  let cfg = loadConfig(process.argv.slice(2), process.env);
  let enrolment: Enrolment | undefined;
  if (isEnrolled(cfg)) {
    const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2)).child({ node: cfg.nodeId });
    try {
      enrolment = await enrolNode({
        nodeId: cfg.nodeId, controlUrl: cfg.controlUrl!, ...(cfg.enrolCode ? { code: cfg.enrolCode } : {}),
        dataDir: resolve(cfg.dataDir ?? `.cache/media-node/${cfg.nodeId}`), log,
      });
    } catch (err) {
      if (!(err instanceof EnrolError)) throw err;
      console.error(`media node ${cfg.nodeId}: ${err.message}`);
      process.exit(3);
    }
    const s = enrolment.setup;
    cfg = { ...cfg, sites: [...s.sites], parent: s.parent?.url ?? null, tokenPublicKeys: s.publicKeys };
    log.info({ sites: s.sites.length, parent: s.parent?.nodeId ?? null }, 'setup from the control service');
  }
  let node: Awaited<ReturnType<typeof startMediaNode>> | undefined;
  const stop = async (code: number) => {
    try {
      await node?.close();
    } finally {
      process.exit(code);
    }
  };
  node = await startMediaNode({
    ...cfg,
    ...(enrolment ? { enrolment } : {}),
    onFatal: (err) => {
      console.error(`media node ${cfg.nodeId}: mediasoup worker died (${err.message}), exiting`);
      void stop(1);
    },
  });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  console.log(`media node ${node.nodeId} listening ${node.url}`);
}

main().catch((err) => {
  if (err instanceof z.ZodError) console.error(`media node config is invalid:\n${z.prettifyError(err)}`);
  else console.error(`media node failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
