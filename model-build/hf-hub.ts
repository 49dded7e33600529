import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { BuildError } from "./errors";

/**
 * The few Hugging Face Hub HTTP calls that huggingface_hub's upload_folder makes, in Node, so
 * `publish` runs wherever `npm` does (no Python on the deploy machine or in CI) and its tests
 * can drive it against a stand-in hub. Per file, as huggingface_hub does:
 *   1. POST /api/models/<repo>/preupload/<rev>  → "lfs" or "regular" per path
 *   2. POST /<repo>.git/info/lfs/objects/batch  → an upload action only for objects the hub
 *      lacks (sha256 oid), basic (one PUT) or multipart (header.chunk_size + one URL per part)
 *   3. PUT the bytes, then POST to the verify action if there is one
 *   4. POST /api/models/<repo>/commit/<rev>, NDJSON: header, then `file` (base64) and
 *      `lfsFile` (path, sha256, size) lines
 * Resuming is the hub's own deduplication: an object uploaded by an interrupted run is
 * reported as present by step 2 and not sent again.
 */

export interface HubFile {
  /** Path inside the repository. */
  path: string;
  localPath: string;
  size: number;
  sha256: string;
  /** git's blob sha1, which the hub reports for non-LFS files. */
  gitSha1: string;
}

export interface RemoteFile {
  path: string;
  size: number;
  /** git blob sha1 of the stored file (of the pointer, for LFS files). */
  oid: string;
  lfs?: { oid: string; size: number };
}

export interface HubClientOptions {
  endpoint: string;
  token: string | undefined;
  fetch?: typeof fetch;
}

export class HubClient {
  private readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.token = options.token;
    this.fetchFn = options.fetch ?? fetch;
  }

  private async call(
    what: string,
    url: string,
    init: RequestInit & { okStatuses?: number[] } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token && url.startsWith(this.endpoint)) {
      headers.set("authorization", `Bearer ${this.token}`);
    }
    let response: Response;
    try {
      response = await this.fetchFn(url, { ...init, headers });
    } catch (error) {
      throw new BuildError(
        "publish",
        `${what}: ${url} could not be reached (${(error as Error).message}). Run publish again to resume.`,
      );
    }
    if (!response.ok && !(init.okStatuses ?? []).includes(response.status)) {
      const body = (await response.text().catch(() => "")).slice(0, 300);
      const hint =
        response.status === 401 || response.status === 403
          ? " Check HF_TOKEN (a token with write access; `hf auth login` stores one)."
          : "";
      throw new BuildError(
        "publish",
        `${what} failed: HTTP ${response.status} ${body}${hint} Run publish again to resume.`,
      );
    }
    return response;
  }

  /** Creates the model repository; one that exists already is fine. */
  async createRepo(repo: string, isPrivate: boolean): Promise<void> {
    const [organization, name] = repo.split("/");
    await this.call(`creating ${repo}`, `${this.endpoint}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "model", name, organization, private: isPrivate }),
      okStatuses: [409],
    });
  }

  /** Every file in the repository at `revision`; an empty list for a new repository. */
  async listFiles(repo: string, revision: string): Promise<RemoteFile[]> {
    const files: RemoteFile[] = [];
    let url: string | undefined =
      `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
    while (url) {
      const response = await this.call(`listing ${repo}`, url, { okStatuses: [404] });
      if (response.status === 404) return [];
      const page = (await response.json()) as (RemoteFile & { type: string })[];
      for (const entry of page) if (entry.type === "file") files.push(entry);
      // The hub pages long listings with a Link: <…>; rel="next" header.
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }
    return files;
  }

  async uploadModes(
    repo: string,
    revision: string,
    files: HubFile[],
  ): Promise<Map<string, "lfs" | "regular">> {
    const body = {
      files: await Promise.all(
        files.map(async (f) => ({
          path: f.path,
          size: f.size,
          sample: (await firstBytes(f.localPath, 512)).toString("base64"),
        })),
      ),
    };
    const response = await this.call(
      `asking ${repo} how to upload`,
      `${this.endpoint}/api/models/${repo}/preupload/${encodeURIComponent(revision)}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    const result = (await response.json()) as {
      files: { path: string; uploadMode: "lfs" | "regular" }[];
    };
    return new Map(result.files.map((f) => [f.path, f.uploadMode]));
  }

  /**
   * Uploads the LFS objects the hub does not have yet. Returns how many bytes were sent;
   * `onFile` is told about each file as it finishes (sent, or already there).
   */
  async uploadLfs(
    repo: string,
    revision: string,
    files: HubFile[],
    onFile: (file: HubFile, sent: boolean) => void,
  ): Promise<number> {
    let sent = 0;
    // The batch API takes many objects at once; a few hundred keeps each answer small.
    for (let i = 0; i < files.length; i += 100) {
      const chunk = files.slice(i, i + 100);
      const response = await this.call(
        `LFS batch for ${repo}`,
        `${this.endpoint}/${repo}.git/info/lfs/objects/batch`,
        {
          method: "POST",
          headers: {
            accept: "application/vnd.git-lfs+json",
            "content-type": "application/vnd.git-lfs+json",
          },
          body: JSON.stringify({
            operation: "upload",
            transfers: ["basic", "multipart"],
            objects: chunk.map((f) => ({ oid: f.sha256, size: f.size })),
            hash_algo: "sha256",
            ref: { name: `refs/heads/${revision}` },
          }),
        },
      );
      const batch = (await response.json()) as { objects: LfsObject[] };
      for (const file of chunk) {
        const object = batch.objects.find((o) => o.oid === file.sha256);
        if (object?.error) {
          throw new BuildError(
            "publish",
            `The hub refused ${file.path}: ${object.error.message ?? object.error.code}.`,
          );
        }
        const upload = object?.actions?.upload;
        if (upload) {
          await this.put(file, upload);
          const verify = object.actions?.verify;
          if (verify) {
            await this.call(`verifying ${file.path}`, verify.href, {
              method: "POST",
              headers: { ...verify.header, "content-type": "application/vnd.git-lfs+json" },
              body: JSON.stringify({ oid: file.sha256, size: file.size }),
            });
          }
          sent += file.size;
        }
        onFile(file, upload !== undefined);
      }
    }
    return sent;
  }

  private async put(file: HubFile, action: LfsAction): Promise<void> {
    const chunkSize = Number(action.header?.chunk_size);
    if (!chunkSize) {
      await this.call(`uploading ${file.path}`, action.href, {
        method: "PUT",
        headers: { ...action.header, "content-length": String(file.size) },
        body: new Uint8Array(await readAll(file.localPath)),
      });
      return;
    }
    // Multipart: header "1", "2", … hold one URL per part; the action's href completes it.
    const parts: { partNumber: number; etag: string }[] = [];
    const partUrls = Object.keys(action.header ?? {})
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b));
    for (const key of partUrls) {
      const index = Number(key) - 1;
      const bytes = await readRange(file.localPath, index * chunkSize, chunkSize);
      const response = await this.call(
        `uploading part ${key} of ${file.path}`,
        action.header![key]!,
        {
          method: "PUT",
          body: new Uint8Array(bytes),
        },
      );
      parts.push({ partNumber: Number(key), etag: response.headers.get("etag") ?? "" });
    }
    await this.call(`completing ${file.path}`, action.href, {
      method: "POST",
      headers: { "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({ oid: file.sha256, parts }),
    });
  }

  async commit(
    repo: string,
    revision: string,
    summary: string,
    files: { file: HubFile; mode: "lfs" | "regular" }[],
  ): Promise<void> {
    const lines: unknown[] = [{ key: "header", value: { summary, description: "" } }];
    for (const { file, mode } of files) {
      lines.push(
        mode === "lfs"
          ? {
              key: "lfsFile",
              value: { path: file.path, algo: "sha256", oid: file.sha256, size: file.size },
            }
          : {
              key: "file",
              value: {
                path: file.path,
                encoding: "base64",
                content: (await readAll(file.localPath)).toString("base64"),
              },
            },
      );
    }
    await this.call(
      `committing to ${repo}`,
      `${this.endpoint}/api/models/${repo}/commit/${encodeURIComponent(revision)}`,
      {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
      },
    );
  }
}

interface LfsAction {
  href: string;
  header?: Record<string, string>;
}

interface LfsObject {
  oid: string;
  size: number;
  actions?: { upload?: LfsAction; verify?: LfsAction };
  error?: { code: number; message?: string };
}

async function firstBytes(file: string, n: number): Promise<Buffer> {
  return readRange(file, 0, n);
}

async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Whole file in memory: shards are tens of MB; larger files go multipart when the hub asks. */
async function readAll(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(file)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
