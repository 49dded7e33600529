import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../../model-build/main";
import { makeModel, writeModel, type FixtureModel } from "../../fixtures/model-files/make-model";
import { startStandInHub, type StandInHub } from "../../fixtures/hub/stand-in-hub";
import { tempDir } from "./helpers";

// publish against a stand-in hub on 127.0.0.1: the client may reach nothing else.
let hub: StandInHub;
let work: ReturnType<typeof tempDir>;
let models: FixtureModel[];
let out: string;
let catalogFile: string;

const onlyHub = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith(hub.url + "/")) throw new Error(`publish tried to reach ${url}`);
  return fetch(input, init);
}) as typeof fetch;

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let output = "";
  const code = await runCli(["publish", "--out", out, "--catalog", catalogFile, ...args], {
    cwd: work.dir,
    env: { HF_ENDPOINT: hub.url, HF_TOKEN: hub.token, HOME: work.dir, ...env },
    out: (t) => (output += t),
    fetch: onlyHub,
  });
  return { code, output };
}

const lfsPuts = () => hub.requests.filter((r) => r.startsWith("PUT /lfs-upload/"));
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const catalog = () =>
  JSON.parse(readFileSync(catalogFile, "utf8")) as {
    models: { id: string; modelPath?: string; modelLibPath?: string }[];
  };

beforeEach(async () => {
  hub = await startStandInHub();
  work = tempDir();
  out = join(work.dir, "out");
  models = [
    makeModel({ id: "pub-a", shards: 3, seed: 1 }),
    makeModel({ id: "pub-b", shards: 2, seed: 2 }),
  ];
  for (const m of models) writeModel(m, out);
  writeFileSync(
    join(out, "catalog.json"),
    JSON.stringify({ version: 1, models: models.map((m) => m.entry) }),
  );
  catalogFile = join(work.dir, "catalog.json");
  writeFileSync(
    catalogFile,
    JSON.stringify({
      version: 1,
      modelBaseUrl: "./",
      models: [{ id: "kept", family: "webllm-prebuilt" }],
    }),
  );
});
afterEach(async () => {
  await hub.close();
  work.cleanup();
});

describe("publish to a Hugging Face model repository", () => {
  it("uploads every file of each model to its own repo and points the catalog at it", async () => {
    const { code, output } = await run(["--to", "hf:kw-lab"]);
    expect(code, output).toBe(0);
    for (const m of models) {
      const files = hub.repos.get(`kw-lab/${m.id}`)!;
      const expected = [...m.files.keys()]
        .filter((p) => p.startsWith(`${m.id}/resolve/main/`) || p === m.entry.modelLibPath)
        .map((p) => p.split("/").pop()!);
      expect([...files.keys()].sort()).toEqual(expected.sort());
      // Shards and the library went through LFS with their sha256; JSON files as plain files.
      for (const path of m.shardPaths) {
        const file = files.get(path.split("/").pop()!)!;
        expect(file).toMatchObject({ lfs: true, sha256: sha256(m.files.get(path)!) });
      }
      expect(files.get("mlc-chat-config.json")?.lfs).toBe(false);
    }
    const entries = catalog().models;
    expect(entries.map((e) => e.id)).toEqual(["kept", "pub-a", "pub-b"]);
    expect(entries[1]).toMatchObject({
      modelPath: "https://huggingface.co/kw-lab/pub-a/",
      modelLibPath: "https://huggingface.co/kw-lab/pub-a/resolve/main/pub-a-webgpu-v1.wasm",
      integrity: models[0]!.entry.integrity,
    });
  });

  it("sends nothing the second time: every file's hash already matches", async () => {
    expect((await run(["--to", "hf:kw-lab"])).code).toBe(0);
    const before = hub.requests.length;
    const commits = hub.commits.length;
    const { code, output } = await run(["--to", "hf:kw-lab"]);
    expect(code, output).toBe(0);
    expect(output).toContain("0 of 7 files to upload");
    const second = hub.requests.slice(before);
    expect(second.filter((r) => r.startsWith("PUT") || r.includes("/preupload/"))).toEqual([]);
    expect(hub.commits.length).toBe(commits);
  });

  it("resumes an interrupted upload without sending finished files again", async () => {
    hub.failUploadsAfter(2);
    const first = await run(["--to", "hf:kw-lab"]);
    expect(first.code).toBe(1);
    expect(first.output).toContain("Run publish again to resume");
    // Two objects arrived; the connection dropped during the third.
    const stored = [...hub.lfsObjects.keys()].filter((k) => !k.startsWith("regular:"));
    expect(stored).toHaveLength(2);
    const before = lfsPuts().length;

    hub.failUploadsAfter(Infinity);
    const second = await run(["--to", "hf:kw-lab"]);
    expect(second.code, second.output).toBe(0);
    const resent = lfsPuts()
      .slice(before)
      .filter((r) => stored.some((oid) => r.endsWith(oid)));
    expect(resent).toEqual([]);
    expect(second.output).toContain("already on the hub");
    expect(hub.repos.get("kw-lab/pub-a")?.size).toBe(7);
    expect(hub.repos.get("kw-lab/pub-b")?.size).toBe(6);
  });

  it("after a rebuild that changed one shard, uploads only that shard", async () => {
    expect((await run(["--to", "hf:kw-lab"])).code).toBe(0);
    const shard = join(out, models[0]!.shardPaths[1]!);
    const bytes = readFileSync(shard);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    writeFileSync(shard, bytes);
    const before = lfsPuts().length;
    const { code, output } = await run(["--to", "hf:kw-lab"]);
    expect(code, output).toBe(0);
    expect(lfsPuts().slice(before)).toEqual([`PUT /lfs-upload/${sha256(bytes)}`]);
    expect(hub.repos.get("kw-lab/pub-a")?.get("params_shard_1.bin")?.sha256).toBe(sha256(bytes));
  });

  it("sends big files in parts when the hub asks for multipart", async () => {
    hub.multipartOver(100 * 1024);
    const { code, output } = await run(["--to", "hf:kw-lab", "--variants", "ift"]);
    expect(code, output).toBe(0);
    expect(hub.requests.some((r) => r.startsWith("PUT /part/"))).toBe(true);
    const shard = models[0]!.shardPaths[0]!;
    expect(hub.lfsObjects.get(sha256(models[0]!.files.get(shard)!))?.length).toBe(256 * 1024);
  });

  it("dry run prints the plan and changes nothing", async () => {
    const catalogBefore = readFileSync(catalogFile, "utf8");
    const { code, output } = await run(["--to", "hf:kw-lab", "--dry-run"], { HF_TOKEN: "" });
    expect(code, output).toBe(0);
    expect(output).toContain("pub-a → kw-lab/pub-a: 7 of 7 files to upload");
    expect(output).toMatch(/upload params_shard_0\.bin \(0\.3 MB\)/);
    expect(hub.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
    expect(readFileSync(catalogFile, "utf8")).toBe(catalogBefore);
  });

  it("refuses without a token and says where one comes from", async () => {
    const { code, output } = await run(["--to", "hf:kw-lab"], { HF_TOKEN: "" });
    expect(code).toBe(1);
    expect(output).toContain("HF_TOKEN");
    expect(hub.requests).toEqual([]);
  });

  it("reads the token `hf auth login` stored when HF_TOKEN is not set", async () => {
    const home = join(work.dir, "hf-home");
    mkdirSync(home);
    writeFileSync(join(home, "token"), hub.token + "\n");
    const { code, output } = await run(["--to", "hf:kw-lab"], { HF_TOKEN: "", HF_HOME: home });
    expect(code, output).toBe(0);
  });
});

describe("publish to a folder", () => {
  it("copies the layout, skips identical files next time, and writes absolute URLs", async () => {
    const site = join(work.dir, "site");
    const args = ["--to", site, "--base-url", "https://static.example.org/models/"];
    expect((await run(args)).code).toBe(0);
    for (const path of models[1]!.shardPaths) expect(existsSync(join(site, path))).toBe(true);
    expect(catalog().models[2]).toMatchObject({
      modelPath: "https://static.example.org/models/pub-b/",
      modelLibPath: "https://static.example.org/models/libs/pub-b-webgpu-v1.wasm",
    });
    const second = await run(args);
    expect(second.output).toContain("0 of 7 files to upload");
    expect(second.output).not.toContain("copied");
  });

  it("needs the address the folder is served from", async () => {
    const { code, output } = await run(["--to", join(work.dir, "site")]);
    expect(code).toBe(2);
    expect(output).toContain("--base-url");
  });
});
