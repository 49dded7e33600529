"""A NumPy forward pass of the tiny Llama, independent of TVM: greedy token ids for a few prompts.

    python reference.py --model <dir with tensor-cache.json and its shards, tokenizer.json,
                                 mlc-chat-config.json> [--out <reference.json>]

Writes <dir>/reference.json (or --out). The browser tests compare web-llm's replies with it.
The weights are read from the shards web-llm loads, so the fixture can be checked as served:

    python reference.py --model test/fixtures/tiny-model/tiny-llama/resolve/main \
        --out test/fixtures/tiny-model/reference.json
"""

import argparse
import json
import os

import numpy as np

# Questions sent through the app's CuteGPT path (META + "问：{q}\n答：\n", HF penalty 1.1).
# The last one is chosen so that the penalty over the prompt changes the greedy reply.
QUESTIONS = ["Hello, how are you", "猫在做什么", "你好，今天过得怎么样"]
APP_MAX_TOKENS = 256
APP_PENALTY = 1.1

# A two-turn chat in the app's default "training layout" (app/prompt/training-layout.ts):
# each message encoded on its own, `<end>` leading every question after the first, and the
# second turn prefilled on top of the first turn's KV cache (web-llm's chat API).
TRAINING_QUESTIONS = ["Hello, how are you", "中国的首都是"]
END = "<end>"

PROMPTS = [
    "Hello, how are you",
    "The cat sat on the",
    "Tell me a story about",
    "你好，今天",
    "请给我讲一个",
    "中国的首都是",
]
MAX_TOKENS = 12


def rms_norm(x, w, eps):
    x = x.astype(np.float64)
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope(x, positions, theta):
    # x: [seq, heads, dim]; Llama's rotate-half layout, as TVM's paged KV cache applies it.
    d = x.shape[-1]
    half = d // 2
    inv = 1.0 / theta ** (np.arange(half, dtype=np.float64) * 2 / d)
    ang = positions[:, None].astype(np.float64) * inv[None, :]
    cos = np.concatenate([np.cos(ang), np.cos(ang)], axis=-1)[:, None, :]
    sin = np.concatenate([np.sin(ang), np.sin(ang)], axis=-1)[:, None, :]
    rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos + rot * sin


def load_tensor_cache(model_dir):
    """The weights as web-llm reads them: tensor-cache.json's records over its raw shards."""
    with open(os.path.join(model_dir, "tensor-cache.json"), encoding="utf-8") as f:
        cache = json.load(f)
    weights = {}
    for shard in cache["records"]:
        with open(os.path.join(model_dir, shard["dataPath"]), "rb") as f:
            data = f.read()
        for r in shard["records"]:
            if r["dtype"] != "float32" or r["format"] != "raw":
                raise ValueError(f"{r['name']}: only raw float32 is expected in the tiny model")
            a = np.frombuffer(data, dtype="<f4", count=int(np.prod(r["shape"])), offset=r["byteOffset"])
            weights[r["name"]] = a.reshape(r["shape"])
    return weights


class Reference:
    def __init__(self, model_dir):
        self.w = {k: v.astype(np.float64) for k, v in load_tensor_cache(model_dir).items()}
        cfg = json.load(open(os.path.join(model_dir, "mlc-chat-config.json"), encoding="utf-8"))
        m = cfg["model_config"]
        self.h = m["hidden_size"]
        self.nl = m["num_hidden_layers"]
        self.nh = m["num_attention_heads"]
        self.nkv = m["num_key_value_heads"]
        self.hd = self.h // self.nh
        self.eps = m["rms_norm_eps"]
        self.theta = m["rope_theta"]

    def logits(self, ids):
        """Next-token logits after the whole sequence `ids` (no cache: recomputed each step)."""
        w, hd, nh, nkv = self.w, self.hd, self.nh, self.nkv
        x = w["embed_tokens.weight"][np.array(ids)]
        s = len(ids)
        pos = np.arange(s)
        mask = np.triu(np.full((s, s), -np.inf), 1)
        for i in range(self.nl):
            p = f"layers.{i}."
            a = rms_norm(x, w[p + "input_layernorm.weight"], self.eps)
            qkv = (a @ w[p + "self_attn.qkv_proj.weight"].T).reshape(s, nh + 2 * nkv, hd)
            q, k, v = qkv[:, :nh], qkv[:, nh : nh + nkv], qkv[:, nh + nkv :]
            q, k = rope(q, pos, self.theta), rope(k, pos, self.theta)
            rep = nh // nkv
            k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
            att = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd) + mask
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            o = np.einsum("hqk,khd->qhd", att, v).reshape(s, nh * hd)
            x = x + o @ w[p + "self_attn.o_proj.weight"].T
            a = rms_norm(x, w[p + "post_attention_layernorm.weight"], self.eps)
            gu = a @ w[p + "mlp.gate_up_proj.weight"].T
            g, u = np.split(gu, 2, axis=-1)
            x = x + (g / (1 + np.exp(-g)) * u) @ w[p + "mlp.down_proj.weight"].T
        x = rms_norm(x[-1], w["norm.weight"], self.eps)
        return x @ w["lm_head.weight"].T

    def greedy(self, prompt_ids, max_tokens, stop_ids, hf_repetition_penalty=1.0):
        """Greedy ids; with a penalty, Hugging Face's rule over prompt and reply so far."""
        ids = list(prompt_ids)
        out, margins = [], []
        for _ in range(max_tokens):
            lg = self.logits(ids)
            if hf_repetition_penalty != 1.0:
                for t in set(ids):
                    lg[t] = lg[t] / hf_repetition_penalty if lg[t] > 0 else lg[t] * hf_repetition_penalty
            order = np.argsort(-lg, kind="stable")
            margins.append(float(lg[order[0]] - lg[order[1]]))
            t = int(order[0])
            if t in stop_ids:
                return out, "stop", margins
            out.append(t)
            ids.append(t)
        return out, "length", margins


def streamed_text(tok, ids):
    """The reply as web-llm streams it: after each token it decodes the whole reply and sends
    what lies past the previous text's length (in UTF-16 code units, as JavaScript counts), so
    a byte-fallback character that decodes differently later is not rewritten."""
    text, prev = "", 0
    for i in range(len(ids)):
        cur = tok.decode(ids[: i + 1], skip_special_tokens=False).encode("utf-16-le")
        text += cur[2 * prev :].decode("utf-16-le", errors="surrogatepass")
        prev = len(cur) // 2
    return text


def greedy_app(ref, prompt_ids, stop_ids, penalty_over_prompt):
    """Greedy with HF's repetition penalty over prompt and reply, or over the reply only."""
    return greedy_with_penalty(ref, prompt_ids, prompt_ids if penalty_over_prompt else [], stop_ids)


def training_layout_chat(ref, tok, meta, stop_ids):
    """What the app's training layout puts in the KV cache, turn by turn, and the greedy replies.

    The cache holds the model's own reply ids (web-llm never feeds the stop token back and
    never re-encodes a reply it generated); the prompt-wide penalty is over the messages as
    the worker re-encodes them (workers/kv-reuse.ts contextTokens). The two agree when a
    reply's text re-encodes to its own ids, which `reencodes_exactly` records.
    """
    enc = lambda text: tok.encode(text, add_special_tokens=False).ids  # noqa: E731
    cache = enc(meta)
    messages = [meta]
    turns = []
    for i, q in enumerate(TRAINING_QUESTIONS):
        question = ("" if i == 0 else END) + f"问：{q}\n答：\n"
        new_ids = enc(question)
        cache += new_ids
        messages.append(question)
        penalty_ids = [t for m in messages for t in enc(m)]
        out, finish, margins = greedy_with_penalty(ref, cache, penalty_ids, stop_ids)
        text = tok.decode(out, skip_special_tokens=False)
        turns.append(
            {
                "question": q,
                "prefill_ids": new_ids,
                "context_tokens": len(cache),
                "greedy_ids": out,
                "text": text,
                "streamed_text": streamed_text(tok, out),
                "finish_reason": finish,
                "min_margin": round(min(margins), 4),
                "reencodes_exactly": enc(text) == out,
            }
        )
        cache += out
        # The app sends back the reply as it was streamed and stored.
        messages.append(streamed_text(tok, out))
    return turns


def greedy_with_penalty(ref, cache_ids, penalty_ids, stop_ids):
    """Greedy on `cache_ids`, with HF's penalty over `penalty_ids` and the reply so far."""
    ids = list(cache_ids)
    seen = set(penalty_ids)
    out, margins = [], []
    for _ in range(APP_MAX_TOKENS):
        lg = ref.logits(ids)
        for t in seen:
            lg[t] = lg[t] / APP_PENALTY if lg[t] > 0 else lg[t] * APP_PENALTY
        order = np.argsort(-lg, kind="stable")
        margins.append(float(lg[order[0]] - lg[order[1]]))
        t = int(order[0])
        if t in stop_ids:
            return out, "stop", margins
        out.append(t)
        ids.append(t)
        seen.add(t)
    return out, "length", margins


def main():
    from tokenizers import Tokenizer

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", help="where reference.json goes (default: in --model)")
    a = ap.parse_args()
    tok = Tokenizer.from_file(os.path.join(a.model, "tokenizer.json"))
    cfg = json.load(open(os.path.join(a.model, "mlc-chat-config.json"), encoding="utf-8"))
    stop_ids = set(cfg["conv_template"]["stop_token_ids"])
    ref = Reference(a.model)
    cases = []
    for prompt in PROMPTS:
        ids = tok.encode(prompt, add_special_tokens=False).ids
        out, finish, margins = ref.greedy(ids, MAX_TOKENS, stop_ids)
        cases.append(
            {
                "prompt": prompt,
                "prompt_ids": ids,
                "greedy_ids": out,
                "text": tok.decode(out, skip_special_tokens=False),
                "finish_reason": finish,
                "min_margin": round(min(margins), 4),
            }
        )
    meta = cfg["conv_template"]["system_message"] + "\n"
    app_cases = []
    for q in QUESTIONS:
        prompt = f"{meta}问：{q}\n答：\n"
        ids = tok.encode(prompt, add_special_tokens=False).ids
        case = {"question": q, "prompt_tokens": len(ids)}
        for key, penalty_over_prompt in (("hf", True), ("reply_only", False)):
            out, finish, margins = greedy_app(ref, ids, stop_ids, penalty_over_prompt)
            case[key] = {
                "greedy_ids": out,
                "text": tok.decode(out, skip_special_tokens=False),
                "streamed_text": streamed_text(tok, out),
                "finish_reason": finish,
                "min_margin": round(min(margins), 4),
            }
        case["prompt_penalty_matters"] = case["hf"]["greedy_ids"] != case["reply_only"]["greedy_ids"]
        app_cases.append(case)
    doc = {
        "max_tokens": MAX_TOKENS,
        "stop_token_ids": sorted(stop_ids),
        "cases": cases,
        "app": {"max_tokens": APP_MAX_TOKENS, "repetition_penalty": APP_PENALTY, "cases": app_cases},
        "training_layout": {
            "max_tokens": APP_MAX_TOKENS,
            "repetition_penalty": APP_PENALTY,
            "turns": training_layout_chat(ref, tok, meta, stop_ids),
        },
    }
    with open(a.out or os.path.join(a.model, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for c in cases:
        print(json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
