"""Build the tiny real model that the browser tests load through web-llm.

    python build.py --runtime <dir with web/dist/wasm/*.bc> --out <dir>

Writes tokenizer.json, the seeded float32 weights (tensor-cache.json + params_shard_0.bin),
a raw mlc-chat-config.json (conv_template is filled in by finish.ts, model-build's own
template step) and tiny-llama-webgpu.wasm. Deterministic: the same pinned packages give
the same bytes.
"""

import argparse
import json
import os

import numpy as np

SEED = 20261201
HERE = os.path.dirname(os.path.abspath(__file__))


def train_tokenizer(out_dir: str) -> int:
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer

    text = open(os.path.join(HERE, "seed-text.txt"), encoding="utf-8").read().splitlines()
    specials = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = pre_tokenizers.Split("▁", "merged_with_next")
    trainer = BpeTrainer(vocab_size=640, special_tokens=specials, show_progress=False)
    tok.train_from_iterator(text, trainer)
    # Rebuild as a Llama-style tokenizer: byte fallback tokens <0x00>..<0xFF> after the specials.
    trained = json.loads(tok.to_str())
    vocab = trained["model"]["vocab"]
    merges = trained["model"]["merges"]
    ordered = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t not in specials]
    new_vocab = {t: i for i, t in enumerate(specials)}
    for b in range(256):
        new_vocab[f"<0x{b:02X}>"] = len(new_vocab)
    for t in ordered:
        if t not in new_vocab:
            new_vocab[t] = len(new_vocab)
    merges = [m for m in merges if all(p in new_vocab for p in (m if isinstance(m, list) else m.split(" ")))]
    model = BPE(vocab=new_vocab, merges=[tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges],
                unk_token="<unk>", byte_fallback=True, fuse_unk=True)
    final = Tokenizer(model)
    final.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    final.pre_tokenizer = None
    final.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    final.add_special_tokens(specials)
    final.add_special_tokens(["<end>"])
    final.save(os.path.join(out_dir, "tokenizer.json"), pretty=False)
    return final.get_vocab_size(with_added_tokens=True)


def seeded_params(named, cfg) -> dict:
    rng = np.random.default_rng(SEED)
    out = {}
    for name, p in named:
        shape = tuple(int(d) for d in p.shape)
        if name.endswith("layernorm.weight") or name.endswith("norm.weight"):
            w = 1.0 + 0.1 * rng.standard_normal(shape)
        elif "embed_tokens" in name:
            w = rng.standard_normal(shape)
        elif name == "lm_head.weight":  # logits spread over several units: clear greedy margins
            w = rng.standard_normal(shape) * (8.0 / np.sqrt(shape[1]))
        else:  # Linear [out, in]
            w = rng.standard_normal(shape) * (1.6 / np.sqrt(shape[1]))
        out[name] = w.astype(np.float32)
    return out


def build(runtime: str, out_dir: str, skip_compile: bool = False):
    import tvm
    from tvm import relax
    from tvm.contrib import tvmjs
    from tvm.support import emcc

    from tiny_llama import TinyConfig, TinyLlama

    os.makedirs(out_dir, exist_ok=True)
    vocab_size = train_tokenizer(out_dir)
    cfg = TinyConfig(vocab_size=vocab_size)
    model = TinyLlama(cfg)
    model.to("float32")
    target = tvm.target.Target(
        {
            "kind": "webgpu",
            "host": {"kind": "llvm", "mtriple": "wasm32-unknown-unknown-wasm", "mcpu": "mvp"},
        }
    )
    with target:
        mod, named, _ext = model.export_tvm(spec=model.get_default_spec(), allow_extern=True)
    params = seeded_params(named, cfg)

    metadata = {
        "model_type": "llama",
        "quantization": "q0f32",
        "context_window_size": cfg.context_window_size,
        "sliding_window_size": -1,
        "attention_sink_size": -1,
        "prefill_chunk_size": cfg.prefill_chunk_size,
        "tensor_parallel_shards": 1,
        "pipeline_parallel_stages": 1,
        "kv_state_kind": "kv_cache",
        "max_batch_size": 1,
        "params": [
            {"name": n, "shape": [int(d) for d in p.shape], "dtype": "float32"} for n, p in named
        ],
    }
    bb = relax.BlockBuilder(mod)
    with bb.function("_metadata", params=[]):
        bb.emit_func_output(tvm.ir.StringImm(json.dumps(metadata, sort_keys=True)))
    mod = bb.finalize()

    if not skip_compile:
        ex = relax.build(
            mod, target, relax_pipeline=relax.get_default_pipeline(target), system_lib=True
        )
        os.environ["TVM_HOME"] = runtime

        def fcompile(output, objects, options=None, **_kw):
            return emcc.create_tvmjs_wasm(output, sorted(objects), options=options)

        # LLVM-22 bitcode cannot be read by Debian's emscripten (LLVM 14): write wasm objects.
        fcompile.object_format = "o"
        ex.export_library(os.path.join(out_dir, "tiny-llama-webgpu.wasm"), fcompile=fcompile)

    tvmjs.dump_tensor_cache(
        {n: params[n] for n, _ in named}, out_dir, encode_format="raw", meta_data={}, shard_cap_mb=32
    )
    np.savez(os.path.join(out_dir, "weights.npz"), **params)
    chat = {
        "model_type": "llama",
        "quantization": "q0f32",
        "vocab_size": vocab_size,
        "context_window_size": cfg.context_window_size,
        "sliding_window_size": -1,
        "attention_sink_size": -1,
        "prefill_chunk_size": cfg.prefill_chunk_size,
        "tensor_parallel_shards": 1,
        "temperature": 1.0,
        "top_p": 1.0,
        "repetition_penalty": 1.0,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "tokenizer_files": ["tokenizer.json"],
        "tokenizer_info": {"token_postproc_method": "byte_fallback", "prepend_space_in_encode": False, "strip_space_in_decode": False},
        "conv_template": {"name": "LM", "system_template": "{system_message}", "system_message": "",
                          "roles": {"user": "", "assistant": ""}, "seps": [""], "role_content_sep": "",
                          "role_empty_sep": "", "stop_str": [], "stop_token_ids": [2],
                          "system_prefix_token_ids": [], "add_role_after_system_message": True},
        "model_config": {
            "hidden_size": cfg.hidden_size,
            "intermediate_size": cfg.intermediate_size,
            "num_hidden_layers": cfg.num_hidden_layers,
            "num_attention_heads": cfg.num_attention_heads,
            "num_key_value_heads": cfg.num_key_value_heads,
            "rms_norm_eps": cfg.rms_norm_eps,
            "rope_theta": cfg.rope_theta,
            "vocab_size": vocab_size,
        },
    }
    with open(os.path.join(out_dir, "mlc-chat-config.json"), "w", encoding="utf-8") as f:
        json.dump(chat, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-compile", action="store_true", help="weights, tokenizer, config only")
    a = ap.parse_args()
    build(os.path.abspath(a.runtime), os.path.abspath(a.out), a.skip_compile)
