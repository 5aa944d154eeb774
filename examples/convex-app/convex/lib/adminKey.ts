/**
 * Admin-key check for the monitoring routes: the key is the `ADMIN_API_KEY` environment
 * variable of the deployment (`npx convex env set ADMIN_API_KEY …`). Compared as SHA-256
 * digests in constant time, so the comparison leaks neither length nor prefix.
 */
async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
}

export async function isAdminKey(presented: string | null | undefined): Promise<boolean> {
  const expected = process.env.ADMIN_API_KEY;
  if (!expected || !presented) return false;
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Reads `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedKey(request: Request): string | null {
  const auth = request.headers.get('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  return request.headers.get('x-api-key');
}
