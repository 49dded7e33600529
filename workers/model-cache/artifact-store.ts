/**
 * web-llm's IndexedDB cache layout, read and written directly so the app can own downloads,
 * imports and deletes while web-llm still finds every file where it looks.
 *
 * Invariants (pinned by test/unit/webllm-contract.test.ts and the model-files browser tests):
 * - one database per scope, named exactly as the scope, version 1;
 * - one object store `urls` with keyPath `url`; records are `{url, data}`;
 * - keys are absolute file URLs, except the wasm, which is keyed by `model_lib` as given;
 * - `data` is an ArrayBuffer, except `tensor-cache.json`, which web-llm stores parsed (JSON).
 * `cutegpt/model-meta` is the app's own database in the same shape (verified shard hashes,
 * last use), so one adapter serves all four.
 */
export type CacheScope = "webllm/config" | "webllm/wasm" | "webllm/model" | "cutegpt/model-meta";

export interface ArtifactStore {
  get(scope: CacheScope, url: string): Promise<unknown>;
  has(scope: CacheScope, url: string): Promise<boolean>;
  put(scope: CacheScope, url: string, data: unknown): Promise<void>;
  delete(scope: CacheScope, url: string): Promise<void>;
  keys(scope: CacheScope): Promise<string[]>;
}

const STORE = "urls";

/** The real thing, over the browser's IndexedDB (main thread or worker). */
export function idbArtifactStore(idb: IDBFactory = indexedDB): ArtifactStore {
  const dbs = new Map<CacheScope, Promise<IDBDatabase>>();

  function open(scope: CacheScope): Promise<IDBDatabase> {
    let db = dbs.get(scope);
    if (!db) {
      db = new Promise<IDBDatabase>((resolve, reject) => {
        const request = idb.open(scope, 1);
        request.onupgradeneeded = () => {
          if (!request.result.objectStoreNames.contains(STORE)) {
            request.result.createObjectStore(STORE, { keyPath: "url" });
          }
        };
        request.onsuccess = () => {
          const opened = request.result;
          // Another tab deleting the database must not be blocked by this connection.
          opened.onversionchange = () => {
            opened.close();
            dbs.delete(scope);
          };
          resolve(opened);
        };
        request.onerror = () => reject(request.error ?? new Error(`cannot open ${scope}`));
      });
      db.catch(() => dbs.delete(scope));
      dbs.set(scope, db);
    }
    return db;
  }

  async function run<T>(
    scope: CacheScope,
    mode: IDBTransactionMode,
    action: (store: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T> {
    const db = await open(scope);
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      // Resolve on commit, not on the request: a write is only safe once it is durable, and a
      // QuotaExceededError shows up as the transaction aborting.
      tx.oncomplete = () => resolve(request.result);
      tx.onabort = () => reject(tx.error ?? request.error ?? new Error("transaction aborted"));
      tx.onerror = (event) => event.preventDefault();
    });
  }

  return {
    async get(scope, url) {
      const record = (await run(scope, "readonly", (s) => s.get(url))) as
        { data?: unknown } | undefined;
      return record?.data;
    },
    async has(scope, url) {
      return (await run(scope, "readonly", (s) => s.count(url))) > 0;
    },
    async put(scope, url, data) {
      await run(scope, "readwrite", (s) => s.put({ url, data }));
    },
    async delete(scope, url) {
      await run(scope, "readwrite", (s) => s.delete(url));
    },
    async keys(scope) {
      return (await run(scope, "readonly", (s) => s.getAllKeys())).map(String);
    },
  };
}

/** For unit tests: the same contract in memory. */
export function memoryArtifactStore(): ArtifactStore & { dump(): Map<string, unknown> } {
  const all = new Map<string, unknown>();
  const k = (scope: CacheScope, url: string) => `${scope} ${url}`;
  return {
    async get(scope, url) {
      return all.get(k(scope, url));
    },
    async has(scope, url) {
      return all.has(k(scope, url));
    },
    async put(scope, url, data) {
      all.set(k(scope, url), data);
    },
    async delete(scope, url) {
      all.delete(k(scope, url));
    },
    async keys(scope) {
      return [...all.keys()]
        .filter((key) => key.startsWith(scope + " "))
        .map((key) => key.slice(scope.length + 1));
    },
    dump: () => all,
  };
}
