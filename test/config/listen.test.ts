import { describe, expect, it } from 'vitest';
import { formatListen, parseListen } from '../../src/config/listen.js';

describe('parseListen', () => {
  it.each([
    ['0.0.0.0:9818', '0.0.0.0', 9818],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['[::]:9818', '::', 9818],
    ['[::1]:80', '::1', 80],
    [':9818', '0.0.0.0', 9818],
    ['9818', '0.0.0.0', 9818],
    [9818, '0.0.0.0', 9818],
    ['exporter.local:9818', 'exporter.local', 9818],
  ] as const)('%j -> %s port %d', (input, host, port) => {
    expect(parseListen(input)).toEqual({ host, port });
  });

  it.each([
    ['localhost', '"localhost" is not host:port (e.g. 0.0.0.0:9818, [::]:9818)'],
    ['::1:9818', '"::1:9818" is not host:port (e.g. 0.0.0.0:9818, [::]:9818)'],
    ['[::1]9818', '"[::1]9818" is not host:port (IPv6 as [::1]:9818)'],
    ['host:65536', 'port "65536" is not 0..65535'],
    ['host:http', 'port "http" is not 0..65535'],
    ['[]:80', '"[]:80" has an empty host'],
  ])('%j is refused: %s', (input, message) => {
    expect(parseListen(input)).toBe(message);
  });

  it('formats IPv6 hosts back in brackets', () => {
    expect(formatListen({ host: '::', port: 9818 })).toBe('[::]:9818');
    expect(formatListen({ host: '0.0.0.0', port: 9818 })).toBe('0.0.0.0:9818');
  });
});
