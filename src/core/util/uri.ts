/** decodeURIComponent that keeps text it cannot decode (a stray `%`) as it is, instead of throwing. */
export function decodeOrKeep(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
