#!/usr/bin/env bash
# Rebuilds test/fixtures/tiny-model/ from pinned registry packages only (PyPI, Debian, npm):
#
#   apt-get install -y emscripten            # Debian bookworm: 3.1.6~dfsg-5 (clang/lld 14)
#   bash model-build/tiny/rebuild.sh [work dir]
#
# Needs Python 3.11, network access to PyPI, this repository's `npm ci`, and about 15 minutes
# on two cores. CI never runs it: the tests use the committed files.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$repo/.model-build/tiny}
mkdir -p "$work"
work=$(cd "$work" && pwd)

python3 -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
pip install --quiet -r "$repo/model-build/tiny/requirements.txt"
site=$(python -c 'import site; print(site.getsitepackages()[0])')

# The TVM web runtime, from the sources the wheels ship. apache-tvm 0.27.0.post1 lacks TVM's
# helper headers; tilelang 0.1.15's wheel carries the same TVM-era headers, and two small
# headers of our own (runtime-shim/) stand in for the CUDA and compiler-rt ones.
rt="$work/runtime"
rm -rf "$rt" && mkdir -p "$rt/3rdparty"
cp -r "$site/tvm/src" "$site/tvm/include" "$site/tvm/web" "$rt/"
cp -r "$site/tvm_ffi" "$rt/3rdparty/tvm-ffi"
(cd "$work" && pip download --quiet --no-deps -d tilelang tilelang==0.1.15)
tl="$work/tilelang-x"
rm -rf "$tl" && mkdir -p "$tl"
(cd "$tl" && python -m zipfile -e "$work"/tilelang/tilelang-0.1.15-*.whl .)
mkdir -p "$rt/src/support" "$rt/include/tvm/support"
for h in arena base64 bytes_io ring_buffer utils; do
  cp "$tl/tilelang/3rdparty/tvm/src/support/$h.h" "$rt/src/support/"
done
cp "$tl/tilelang/3rdparty/tvm/include/tvm/support/"{io,serializer}.h "$rt/include/tvm/support/"
cp -r "$repo/model-build/tiny/runtime-shim/." "$rt/"
# TVM_ROOT relative: the web Makefile makes it absolute, and clang 14 writes the source path
# into every lambda's name (__PRETTY_FUNCTION__ in TVM's log messages), which
# -ffile-prefix-map does not reach. Relative, the library holds no path of this machine and
# is the same bytes wherever it is built.
# shellcheck disable=SC2016
make -C "$rt/web" TVM_ROOT=.. dist/wasm/wasm_runtime.bc dist/wasm/tvmjs_support.bc dist/wasm/webgpu_runtime.bc \
  EMCC_CFLAGS='$(INCLUDE_FLAGS) -O3 -std=c++17 -Wno-ignored-attributes'

out="$work/out"
rm -rf "$out"
(cd "$repo/model-build/tiny" && python build.py --runtime "$rt" --out "$out")
(cd "$repo" && npx tsx model-build/tiny/finish.ts "$out")
(cd "$repo/model-build/tiny" && python reference.py --model "$out")

fx="$repo/test/fixtures/tiny-model"
rm -rf "$fx/tiny-llama" "$fx/libs"
mkdir -p "$fx/tiny-llama/resolve/main" "$fx/libs"
cp "$out"/{mlc-chat-config.json,tokenizer.json,tensor-cache.json,params_shard_0.bin} \
  "$fx/tiny-llama/resolve/main/"
cp "$out/tiny-llama-webgpu.wasm" "$fx/libs/"
cp "$out/reference.json" "$fx/"
echo "fixture written to $fx"
