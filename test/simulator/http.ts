/** Tiny HTTP helpers for simulator tests: real requests to 127.0.0.1. */
export interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function get(base: string, path: string, apiKey?: string | null, init: RequestInit = {}): Promise<Got> {
  const headers: Record<string, string> = {};
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(base + path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function qs(params: Record<string, string | number>): string {
  return '?' + new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}
