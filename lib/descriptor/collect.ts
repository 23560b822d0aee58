// A child's output stream read to its end into one Buffer, keeping at most maxBuffer bytes (the
// rest is dropped and onOverflow called once, for the caller to kill the child as Node's exec does).
import type { Readable } from 'node:stream';

export function collect(stream: Readable | null, maxBuffer: number, onOverflow: () => void): Promise<Buffer> {
  if (!stream) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      if (length > maxBuffer) return;
      length += chunk.length;
      if (length > maxBuffer) {
        chunks.push(chunk.subarray(0, chunk.length - (length - maxBuffer)));
        onOverflow();
      } else {
        chunks.push(chunk);
      }
    });
    // 'close' also comes when the stream is destroyed, so an error cannot leave us waiting.
    stream.on('error', () => {});
    stream.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
