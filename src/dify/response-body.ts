/**
 * A response body read into bytes of our own, to be decoded at once. undici's body mixins
 * (`text()`, `arrayBuffer()`) keep their result reachable from the response stream after it is
 * read, and in a catch-up that was long enough for it to be promoted to the old generation: read
 * with `text()`, ~100 MB of page text per 200,000 runs. Nothing of a body read here is left on
 * the stream.
 */
import type { Readable } from 'node:stream';

/** The whole body: its one chunk as it came, or the chunks joined. Rejects with the stream's error. */
export function readBody(stream: Readable): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
    };
    const onEnd = (): void => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
      done();
      resolve(body);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    // A stream destroyed without an error emits neither (undici reports an abort as an error).
    const onClose = (): void => onError(new Error('response body closed before its end'));
    const done = (): void => {
      chunks = [];
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** The body as UTF-8 text, without a leading byte order mark (as undici's `text()` reads it). */
export function bodyText(body: Buffer): string {
  const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  return body.toString('utf8', bom ? 3 : 0);
}
