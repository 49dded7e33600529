"""Writes tokenizer.json (the Hugging Face "fast" format web-llm loads) from a checkpoint that
ships only the sentencepiece tokenizer.model. Added tokens such as <end> are carried over.

Invoked by model-build's template step only when gen_config produced no tokenizer.json.
Needs transformers with sentencepiece and protobuf.
"""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="checkpoint folder")
    parser.add_argument("--out", required=True, help="path of the tokenizer.json to write")
    args = parser.parse_args()

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.model, use_fast=True)
    if not tokenizer.is_fast:
        print("error: transformers could not build a fast tokenizer", file=sys.stderr)
        return 2
    if tokenizer.convert_tokens_to_ids("<end>") in (None, tokenizer.unk_token_id):
        print(f"error: {args.model} has no <end> token", file=sys.stderr)
        return 2
    tokenizer.backend_tokenizer.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
