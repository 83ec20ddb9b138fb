/** Log and run ids as Dify gives them (lowercase UUIDs), and some of other shapes. */

export function uuid(random: () => number): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

/** Mostly UUIDs, some ids of other shapes (upper case, other formats) kept as strings. */
export function someId(random: () => number): string {
  const r = random();
  if (r < 0.8) return uuid(random);
  if (r < 0.9) return uuid(random).toUpperCase();
  return `log-${Math.floor(random() * 1e9)}-"q"\\`;
}
