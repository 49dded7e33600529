import { describe, expect, it } from "vitest";
import { prebuiltAppConfig } from "@mlc-ai/web-llm";
import {
  DEFAULT_SOURCE_SETTING,
  fetchUrlFor,
  modelConnectSources,
  normalizeBase,
  resolveSource,
} from "../../../app/protocol/download-sources";
import { contentSecurityPolicy } from "../../../vite.config";

const qwen = prebuiltAppConfig.model_list.find(
  (m) => m.model_id === "Qwen2.5-7B-Instruct-q4f16_1-MLC",
)!;
const mirror = resolveSource({ ...DEFAULT_SOURCE_SETTING, models: "hf-mirror" }, "en");

describe("download sources", () => {
  it("fetches a Hugging Face file from the mirror at the same path", () => {
    const url = `${qwen.model}/resolve/main/params_shard_3.bin`;
    expect(fetchUrlFor(url, mirror)).toBe(
      "https://hf-mirror.com/mlc-ai/Qwen2.5-7B-Instruct-q4f16_1-MLC/resolve/main/params_shard_3.bin",
    );
  });

  it("fetches web-llm's model library from jsDelivr's GitHub mirror", () => {
    const source = resolveSource({ ...DEFAULT_SOURCE_SETTING, libraries: "jsdelivr" }, "en");
    expect(fetchUrlFor(qwen.model_lib, source)).toBe(
      "https://cdn.jsdelivr.net/gh/mlc-ai/binary-mlc-llm-libs@main/web-llm-models/v0_2_86/base/Qwen2-7B-Instruct-q4f16_1_cs1k-webgpu.wasm",
    );
    expect(fetchUrlFor(qwen.model_lib, mirror)).toBe(qwen.model_lib);
  });

  it("puts a custom base where huggingface.co was, path prefix kept", () => {
    const source = resolveSource(
      { ...DEFAULT_SOURCE_SETTING, models: "custom", customBase: "https://files.example.org/hf/" },
      "zh",
    );
    expect(fetchUrlFor("https://huggingface.co/org/m/resolve/main/a.json", source)).toBe(
      "https://files.example.org/hf/org/m/resolve/main/a.json",
    );
  });

  it("leaves the deploy's own model host alone", () => {
    const own = "https://models.example.org/CuteGPT-13B-ift-q4f16_1-MLC/resolve/main/x.bin";
    expect(fetchUrlFor(own, mirror)).toBe(own);
    // A look-alike host is not Hugging Face.
    const lookalike = "https://huggingface.co.evil.example/x/resolve/main/y";
    expect(fetchUrlFor(lookalike, mirror)).toBe(lookalike);
  });

  it("picks the mirrors for a Chinese UI and the canonical hosts otherwise, unless chosen", () => {
    expect(resolveSource(DEFAULT_SOURCE_SETTING, "zh")).toEqual({
      modelBase: "https://hf-mirror.com",
      library: "jsdelivr",
    });
    expect(resolveSource(DEFAULT_SOURCE_SETTING, "en")).toEqual({
      modelBase: "https://huggingface.co",
      library: "github",
    });
    expect(
      resolveSource({ models: "huggingface", customBase: "", libraries: "github" }, "zh"),
    ).toEqual({ modelBase: "https://huggingface.co", library: "github" });
  });

  it("falls back to Hugging Face when the custom base is not a usable URL", () => {
    const source = resolveSource(
      { ...DEFAULT_SOURCE_SETTING, models: "custom", customBase: "ftp://x" },
      "en",
    );
    expect(source.modelBase).toBe("https://huggingface.co");
  });

  it("accepts https anywhere and http only on this machine", () => {
    expect(normalizeBase(" https://m.example/hf/ ")).toBe("https://m.example/hf");
    expect(normalizeBase("http://127.0.0.1:8090/")).toBe("http://127.0.0.1:8090");
    expect(normalizeBase("http://m.example/")).toBeUndefined();
    expect(normalizeBase("https://m.example/?x=1")).toBeUndefined();
    expect(normalizeBase("not a url")).toBeUndefined();
  });

  it("derives connect-src from the same list, with the deploy's extra hosts", () => {
    const policy = contentSecurityPolicy(
      modelConnectSources(["https://models.example.org/base/", "https://a.example, bogus"]),
    );
    const connect = /connect-src ([^;]*)/.exec(policy)?.[1]?.split(" ") ?? [];
    for (const origin of [
      "'self'",
      "https://huggingface.co",
      "https://*.hf.co",
      "https://hf-mirror.com",
      "https://raw.githubusercontent.com",
      "https://cdn.jsdelivr.net",
      "https://models.example.org",
      "https://a.example",
    ]) {
      expect(connect).toContain(origin);
    }
    expect(connect).not.toContain("bogus");
  });
});
