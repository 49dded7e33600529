"""Measures native prefill and decode speed of a compiled CuteGPT build with MLC LLM.

Current mlc_llm releases have no `bench` subcommand any more, so this drives MLCEngine
directly. The last line printed is JSON: {"prefill_tokens_per_s": x, "decode_tokens_per_s": y}.
"""

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="folder with mlc-chat-config.json and shards")
    parser.add_argument("--model-lib", required=True, help="compiled native library (.so)")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--generate-length", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from mlc_llm import MLCEngine

    engine = MLCEngine(model=args.model, model_lib=args.model_lib, device=args.device, mode="interactive")
    results = []
    try:
        # The first run compiles kernels and warms caches; it is not counted.
        for run in range(args.runs + 1):
            start = time.perf_counter()
            first = None
            usage = None
            request = dict(
                prompt=args.prompt,
                max_tokens=args.generate_length,
                stream=True,
                stream_options={"include_usage": True},
            )
            try:
                # Decode the full length even when the model would stop early.
                stream = engine.completions.create(**request, extra_body={"debug_config": {"ignore_eos": True}})
            except TypeError:
                stream = engine.completions.create(**request)
            for chunk in stream:
                if first is None and chunk.choices:
                    first = time.perf_counter()
                if chunk.usage is not None:
                    usage = chunk.usage
            end = time.perf_counter()
            if run == 0 or usage is None:
                continue
            extra = getattr(usage, "extra", None) or {}
            prefill = extra.get("prefill_tokens_per_s")
            decode = extra.get("decode_tokens_per_s")
            if prefill is None and first is not None:
                prefill = usage.prompt_tokens / max(first - start, 1e-9)
            if decode is None and first is not None:
                decode = max(usage.completion_tokens - 1, 1) / max(end - first, 1e-9)
            results.append((float(prefill or 0), float(decode or 0)))
            print(f"run {run}: prefill {results[-1][0]:.1f} tok/s, decode {results[-1][1]:.1f} tok/s", flush=True)
    finally:
        engine.terminate()
    if not results:
        raise SystemExit("no run produced usage statistics")
    prefill = sorted(r[0] for r in results)[len(results) // 2]
    decode = sorted(r[1] for r in results)[len(results) // 2]
    print(json.dumps({"prefill_tokens_per_s": prefill, "decode_tokens_per_s": decode}))


if __name__ == "__main__":
    main()
