// Content-addressed file store: objects/<aa>/<sha256>. Uploads stream to a
// temporary file in the store while hashing, then move into place. Only paths
// derived from a validated sha256 are ever opened.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../signaling/common.js';

const SHA = /^[0-9a-f]{64}$/;

export class BlobStore {
  constructor(readonly dir: string) {}

  async init() {
    await mkdir(join(this.dir, 'objects'), { recursive: true });
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!SHA.test(sha256)) throw new AppError('BAD_REQUEST', 'not a sha256');
    return join(this.dir, 'objects', sha256.slice(0, 2), sha256);
  }

  /** Streams `src` into the store; refuses (and discards) anything over maxBytes. */
  async put(src: Readable, maxBytes: number): Promise<{ sha256: string; size: number }> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
    const tmp = join(this.dir, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(new AppError('TOO_LARGE', `file is larger than ${maxBytes} bytes`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(src, meter, createWriteStream(tmp, { flags: 'wx' }));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      if (e instanceof AppError) throw e;
      throw new AppError('BAD_REQUEST', 'upload interrupted');
    }
    const sha256 = hash.digest('hex');
    const dest = this.pathOf(sha256);
    await mkdir(join(this.dir, 'objects', sha256.slice(0, 2)), { recursive: true });
    await rename(tmp, dest);
    return { sha256, size };
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range);
  }
}
