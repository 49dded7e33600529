"""Merges the CuteGPT LoRA adapter into the base model and saves a plain Llama checkpoint.

Invoked by model-build (merge step); needs torch, transformers and peft. Runs on the CPU in
fp16, so it needs RAM for one 13B fp16 model plus headroom, but no GPU.

The result is written to <out>.partial and renamed at the end, so an interrupted merge never
leaves a folder that looks finished.
"""

import argparse
import os
import shutil
import sys

TOKENIZER_FILES = (
    "tokenizer.model",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
)


def has_tokenizer(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, f)) for f in ("tokenizer.model", "tokenizer.json"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="folder of XuYipei/kw-cutegpt-13b-base")
    parser.add_argument("--lora", required=True, help="folder of Abbey4799/kw-cutegpt-13b-ift-lora")
    parser.add_argument("--out", required=True, help="folder for the merged checkpoint")
    args = parser.parse_args()

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The published LoRA inference loads its tokenizer from the adapter folder (it carries <end>).
    tokenizer_source = args.lora if has_tokenizer(args.lora) else args.base
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)

    print(f"loading base model from {args.base} (fp16, CPU)", flush=True)
    model = AutoModelForCausalLM.from_pretrained(
        args.base, torch_dtype=torch.float16, low_cpu_mem_usage=True, device_map={"": "cpu"}
    )
    rows = model.get_input_embeddings().weight.shape[0]
    if len(tokenizer) > rows:
        print(
            f"error: the tokenizer in {tokenizer_source} has {len(tokenizer)} tokens but the base "
            f"model's embedding has {rows} rows; these checkpoints do not belong together.",
            file=sys.stderr,
        )
        return 2

    print(f"applying adapter {args.lora}", flush=True)
    model = PeftModel.from_pretrained(model, args.lora, torch_dtype=torch.float16)
    model = model.merge_and_unload()

    partial = args.out.rstrip("/") + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    print(f"saving merged model to {partial}", flush=True)
    model.save_pretrained(partial, safe_serialization=True, max_shard_size="4GB")
    tokenizer.save_pretrained(partial)
    # save_pretrained may not re-emit the sentencepiece file; gen_config looks for it.
    for name in TOKENIZER_FILES:
        source = os.path.join(tokenizer_source, name)
        if os.path.exists(source) and not os.path.exists(os.path.join(partial, name)):
            shutil.copyfile(source, os.path.join(partial, name))

    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(partial, args.out)
    print(f"merged checkpoint ready in {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
