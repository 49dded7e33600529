import type { ArtifactStore } from "./artifact-store";

/**
 * The app's own notes next to web-llm's caches: which shard URLs were checked against which
 * hash (so a shard is hashed once, not at every load) and when a model folder was last used.
 */
const SCOPE = "cutegpt/model-meta";

export async function verifiedHash(store: ArtifactStore, url: string): Promise<string | undefined> {
  const value = await store.get(SCOPE, "verified:" + url);
  return typeof value === "string" ? value : undefined;
}

export async function markVerified(store: ArtifactStore, url: string, sri: string): Promise<void> {
  await store.put(SCOPE, "verified:" + url, sri);
}

export async function markUsed(store: ArtifactStore, folderUrl: string, at: number): Promise<void> {
  await store.put(SCOPE, "used:" + folderUrl, at);
}

export async function lastUsed(
  store: ArtifactStore,
  folderUrl: string,
): Promise<number | undefined> {
  const value = await store.get(SCOPE, "used:" + folderUrl);
  return typeof value === "number" ? value : undefined;
}

/** Forgets every note about URLs under `folderUrl`. */
export async function forgetFolder(store: ArtifactStore, folderUrl: string): Promise<void> {
  for (const key of await store.keys(SCOPE)) {
    const url = key.slice(key.indexOf(":") + 1);
    if (url.startsWith(folderUrl)) await store.delete(SCOPE, key);
  }
}
