// A readable stream as text lines: what `for await (const line of subprocess)` iterates. Lines end
// at '\n' (a '\r' before it is dropped, as execa's `lines` and readline do); a last line without
// '\n' is yielded too. Multi-byte characters split across chunks are decoded whole.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export async function* lines(stream: Readable, encoding: BufferEncoding = 'utf8'): AsyncGenerator<string, void> {
  const decoder = new StringDecoder(encoding);
  let pending = '';
  // Breaking out of the loop destroys the stream, as for any async iteration of a Readable.
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      yield stripCR(pending.slice(start, nl));
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield stripCR(pending);
}

function stripCR(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
