/** A response body read into bytes of our own: whole, in order, decoded as undici's text() would. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bodyText, readBody } from '../../src/dify/response-body.js';

describe('readBody', () => {
  it('joins the chunks of a body in order, and keeps a single chunk as it came', async () => {
    const chunks = ['{"data":[', '"é",', '"中"', ']}'].map((s) => Buffer.from(s));
    expect(bodyText(await readBody(Readable.from(chunks, { objectMode: false })))).toBe('{"data":["é","中"]}');
    const one = Buffer.from('{"page":1}');
    expect(await readBody(Readable.from([one], { objectMode: false }))).toBe(one);
    expect((await readBody(Readable.from([], { objectMode: false }))).length).toBe(0);
  });

  it('rejects with the error that ends the stream', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('{"par'));
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readBody(failing)).rejects.toThrow('socket hang up');
  });

  it('rejects when the stream is closed before its end without an error', async () => {
    const cut = new Readable({
      read() {
        this.push(Buffer.from('{"par'));
        this.destroy();
      },
    });
    await expect(readBody(cut)).rejects.toThrow('closed before its end');
  });
});

describe('bodyText', () => {
  it('reads UTF-8 and drops a leading byte order mark only', () => {
    expect(bodyText(Buffer.from('\uFEFF{"a":"\uFEFF"}'))).toBe('{"a":"\uFEFF"}');
    expect(bodyText(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(bodyText(Buffer.alloc(0))).toBe('');
  });
});
