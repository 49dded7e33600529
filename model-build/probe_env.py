"""Reports, as one JSON line, what model-build needs to know about this Python environment.

Run by the CLI's preflight; it imports nothing heavy except tvm (to ask it about GPUs).
"""

import importlib.util
import json


def has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def main() -> None:
    result = {
        "mlc_llm": None,
        "tvm": None,
        "tvm_ffi": has("tvm_ffi"),
        "peft": has("peft"),
        "torch": has("torch"),
        "transformers": has("transformers"),
        "cuda": False,
        "vulkan": False,
    }
    try:
        import mlc_llm  # noqa: F401

        result["mlc_llm"] = str(getattr(mlc_llm, "__version__", "unknown"))
    except Exception as error:  # any import failure means the same to the caller
        result["mlc_llm_error"] = f"{type(error).__name__}: {error}"
    try:
        import tvm

        result["tvm"] = str(getattr(tvm, "__version__", "unknown"))
        for device in ("cuda", "vulkan"):
            try:
                result[device] = bool(getattr(tvm, device)(0).exist)
            except Exception:
                result[device] = False
    except Exception:
        pass
    print(json.dumps(result))


if __name__ == "__main__":
    main()
