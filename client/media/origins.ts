// A link's `node=` / `control=` must name one of this deployment's services:
// otherwise anyone could print a hall QR code that sends the hall's token to
// their own server. The list comes from the origin that served the page
// (DEPLOYMENT_PATH, the same list its Content-Security-Policy allows), so a
// foreign link is refused with a sentence before any token leaves the page.
import { DEPLOYMENT_PATH, DeploymentInfo } from '../../signaling/headers.js';

let cached: Promise<Set<string>> | null = null;

function deploymentOrigins(): Promise<Set<string>> {
  cached ??= fetch(DEPLOYMENT_PATH, { signal: AbortSignal.timeout(10_000) })
    .then((r) => (r.ok ? r.json() : { origins: [] }))
    .then((j) => new Set(DeploymentInfo.parse(j).origins))
    .catch(() => { cached = null; return new Set<string>(); });
  return cached;
}

/**
 * The URLs among `urls` (empty = this page's own origin) that are not this deployment's: the page
 * must not use them. An unreadable list refuses every other origin (fail closed).
 */
export async function foreignUrls(urls: readonly string[]): Promise<string[]> {
  const others = urls.filter((u) => u && originOf(u) !== location.origin);
  if (!others.length) return [];
  const allowed = await deploymentOrigins();
  return others.filter((u) => !allowed.has(originOf(u) ?? ''));
}

function originOf(u: string): string | null {
  try {
    return new URL(u, location.href).origin;
  } catch {
    return null;
  }
}
