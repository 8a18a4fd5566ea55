// Media node entry: `node --import tsx media/main.ts --config <file.json>`
// (or env / flags, see config.ts). Prints `media node <id> listening <url>` when ready.
import { z } from 'zod';
import { loadConfig } from './config.js';
import { startMediaNode } from './node.js';

async function main(): Promise<void> {
  const cfg = loadConfig(process.argv.slice(2), process.env);
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
