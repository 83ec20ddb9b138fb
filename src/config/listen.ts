/**
 * The `server.listen` address: "host:port", "[::]:port" (IPv6 in brackets), ":port" (all
 * interfaces) or a bare port. Port 0 asks the OS for a free port (tests).
 */

export interface ListenAddress {
  host: string;
  port: number;
}

const ALL_INTERFACES = '0.0.0.0';

/** Returns the address, or a message saying what is wrong with it. */
export function parseListen(input: string | number): ListenAddress | string {
  const text = String(input).trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(text)) {
    host = ALL_INTERFACES;
    portText = text;
  } else if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close < 0) return `${JSON.stringify(text)} is not host:port (IPv6 as [::1]:9818)`;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) {
      return `${JSON.stringify(text)} is not host:port (e.g. 0.0.0.0:9818, [::]:9818)`;
    }
    host = text.slice(0, colon) || ALL_INTERFACES;
    portText = text.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return `port ${JSON.stringify(portText)} is not 0..65535`;
  if (host.length === 0) return `${JSON.stringify(text)} has an empty host`;
  return { host, port };
}

/** "host:port" again, with IPv6 hosts in brackets (for URLs and log lines). */
export function formatListen({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
