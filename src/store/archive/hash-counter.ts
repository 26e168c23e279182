import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through that hashes (sha256) and counts what flows through it, without copying. */
export class HashCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    callback(null, chunk);
  }

  /** `sha256:<hex>` and the byte count; call once the stream has ended. */
  result(): { digest: string; size: number } {
    return { digest: `sha256:${this.hash.copy().digest('hex')}`, size: this.count };
  }
}
