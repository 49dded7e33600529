"""A tiny Llama (RMSNorm, RoPE, SwiGLU, grouped-query attention) in tvm.relax.frontend.nn.

It exports what web-llm 0.2.86's LLMChatPipeline looks up by name: embed, prefill, decode,
create_tir_paged_kv_cache, softmax_with_temperature, argsort_probs, sample_with_top_p,
apply_logit_bias_inplace, apply_penalty_inplace, apply_bitmask_inplace and _metadata.
Everything is float32: SwiftShader has no shader-f16.
"""

from dataclasses import dataclass

from tvm import tirx
from tvm.relax.frontend import nn
from tvm.relax.frontend.nn import Tensor, op
from tvm.relax.frontend.nn.llm.kv_cache import PagedKVCache, RopeMode, TIRPagedKVCache
from tvm.script import tirx as T


@dataclass
class TinyConfig:
    vocab_size: int
    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    prefill_chunk_size: int = 64
    context_window_size: int = 256

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads


class Attention(nn.Module):
    def __init__(self, c: TinyConfig):
        self.c = c
        qkv = (c.num_attention_heads + 2 * c.num_key_value_heads) * c.head_dim
        self.qkv_proj = nn.Linear(c.hidden_size, qkv, bias=False)
        self.o_proj = nn.Linear(c.num_attention_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x: Tensor, kv: PagedKVCache, layer_id: int):
        c = self.c
        b, s, _ = x.shape
        qkv = op.reshape(
            self.qkv_proj(x), (b, s, c.num_attention_heads + 2 * c.num_key_value_heads, c.head_dim)
        )
        out = kv.attention_with_fused_qkv(
            layer_id, qkv, c.num_attention_heads, sm_scale=c.head_dim**-0.5
        )
        return self.o_proj(op.reshape(out, (b, s, c.num_attention_heads * c.head_dim)))


class MLP(nn.Module):
    def __init__(self, c: TinyConfig):
        self.gate_up_proj = nn.Linear(c.hidden_size, 2 * c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x: Tensor):
        gate, up = op.split(self.gate_up_proj(x), 2, axis=-1)
        return self.down_proj(op.silu(gate) * up)


class Layer(nn.Module):
    def __init__(self, c: TinyConfig):
        self.input_layernorm = nn.RMSNorm(c.hidden_size, -1, c.rms_norm_eps, bias=False)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = nn.RMSNorm(c.hidden_size, -1, c.rms_norm_eps, bias=False)
        self.mlp = MLP(c)

    def forward(self, x: Tensor, kv: PagedKVCache, layer_id: int):
        x = x + self.self_attn(self.input_layernorm(x), kv, layer_id)
        return x + self.mlp(self.post_attention_layernorm(x))


def _last_token(x: Tensor) -> Tensor:
    def compute(x):
        from tvm import te

        b, s, d = x.shape
        return te.compute((b, 1, d), lambda i, _, k: x[i, s - 1, k], name="last_token")

    return op.tensor_expr_op(compute, "last_token", [x])


# In-place logit kernels, written for a batch of one or a few sequences: one thread each.
@T.prim_func(private=True, s_tir=True)
def _logit_bias(var_logits: T.handle, var_pos2seq: T.handle, var_ids: T.handle, var_bias: T.handle):
    T.func_attr({"tirx.noalias": True, "tirx.is_scheduled": True, "op_pattern": 8})
    b, v, n = T.int32(), T.int32(), T.int32()
    logits = T.match_buffer(var_logits, (b, v), "float32")
    pos2seq = T.match_buffer(var_pos2seq, (n,), "int32")
    ids = T.match_buffer(var_ids, (n,), "int32")
    bias = T.match_buffer(var_bias, (n,), "float32")
    for bx in T.thread_binding(1, thread="blockIdx.x"):
        for tx in T.thread_binding(1, thread="threadIdx.x"):
            for i in range(n):
                logits[pos2seq[i], ids[i]] = logits[pos2seq[i], ids[i]] + bias[i]


@T.prim_func(private=True, s_tir=True)
def _penalty(
    var_logits: T.handle,
    var_seq_ids: T.handle,
    var_pos2seq: T.handle,
    var_ids: T.handle,
    var_cnt: T.handle,
    var_penalties: T.handle,
):
    T.func_attr({"tirx.noalias": True, "tirx.is_scheduled": True, "op_pattern": 8})
    b, v = T.int32(), T.int32()
    s, n = T.int32(), T.int32()
    logits = T.match_buffer(var_logits, (b, v), "float32")
    seq_ids = T.match_buffer(var_seq_ids, (s,), "int32")
    pos2seq = T.match_buffer(var_pos2seq, (n,), "int32")
    ids = T.match_buffer(var_ids, (n,), "int32")
    cnt = T.match_buffer(var_cnt, (n,), "int32")
    penalties = T.match_buffer(var_penalties, (s, 3), "float32")
    for bx in T.thread_binding(1, thread="blockIdx.x"):
        for tx in T.thread_binding(1, thread="threadIdx.x"):
            for i in range(n):
                # presence, frequency, then repetition (divide positives, multiply negatives)
                logits[seq_ids[pos2seq[i]], ids[i]] = logits[seq_ids[pos2seq[i]], ids[i]] - (
                    penalties[pos2seq[i], 0] + T.Cast("float32", cnt[i]) * penalties[pos2seq[i], 1]
                )
                logits[seq_ids[pos2seq[i]], ids[i]] = T.if_then_else(
                    logits[seq_ids[pos2seq[i]], ids[i]] > T.float32(0),
                    logits[seq_ids[pos2seq[i]], ids[i]] / penalties[pos2seq[i], 2],
                    logits[seq_ids[pos2seq[i]], ids[i]] * penalties[pos2seq[i], 2],
                )


@T.prim_func(private=True, s_tir=True)
def _bitmask(var_logits: T.handle, var_seq_ids: T.handle, var_bitmask: T.handle):
    T.func_attr({"tirx.noalias": True, "tirx.is_scheduled": True, "op_pattern": 8})
    b, v = T.int32(), T.int32()
    s, w = T.int32(), T.int32()
    logits = T.match_buffer(var_logits, (b, v), "float32")
    seq_ids = T.match_buffer(var_seq_ids, (s,), "int32")
    bitmask = T.match_buffer(var_bitmask, (b, w), "int32")
    for bx in T.thread_binding(1, thread="blockIdx.x"):
        for tx in T.thread_binding(1, thread="threadIdx.x"):
            for i, j in T.grid(s, v):
                logits[seq_ids[i], j] = T.if_then_else(
                    T.bitwise_and(T.shift_right(bitmask[seq_ids[i], j // 32], j % 32), 1) == 1,
                    logits[seq_ids[i], j],
                    T.min_value("float32"),
                )


@T.prim_func(private=True, s_tir=True)
def _rank_sort(var_probs: T.handle, var_sorted: T.handle, var_idx: T.handle):
    """Descending sort by rank: element i goes to the number of elements ahead of it (ties by index)."""
    T.func_attr({"tirx.noalias": True, "tirx.is_scheduled": True, "op_pattern": 8})
    b, v = T.int32(), T.int32()
    probs = T.match_buffer(var_probs, (b, v), "float32")
    sorted_probs = T.match_buffer(var_sorted, (b, v), "float32")
    sorted_idx = T.match_buffer(var_idx, (b, v), "int32")
    with T.sblock("root"):
        for bx in T.thread_binding((b * v + 255) // 256, thread="blockIdx.x"):
            for tx in T.thread_binding(256, thread="threadIdx.x"):
                with T.sblock("rank"):
                    T.reads(probs[0:b, 0:v])
                    T.writes(sorted_probs[0:b, 0:v], sorted_idx[0:b, 0:v])
                    rank = T.alloc_buffer((1,), "int32", scope="local")
                    if bx * 256 + tx < b * v:
                        rank[0] = 0
                        for j in range(v):
                            if probs[(bx * 256 + tx) // v, j] > probs[(bx * 256 + tx) // v, (bx * 256 + tx) % v] or (
                                probs[(bx * 256 + tx) // v, j] == probs[(bx * 256 + tx) // v, (bx * 256 + tx) % v]
                                and j < (bx * 256 + tx) % v
                            ):
                                rank[0] = rank[0] + 1
                        sorted_probs[(bx * 256 + tx) // v, rank[0]] = probs[(bx * 256 + tx) // v, (bx * 256 + tx) % v]
                        sorted_idx[(bx * 256 + tx) // v, rank[0]] = (bx * 256 + tx) % v


class TinyLlama(nn.Module):
    def __init__(self, c: TinyConfig):
        self.c = c
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])
        self.norm = nn.RMSNorm(c.hidden_size, -1, c.rms_norm_eps, bias=False)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)

    def _body(self, x: Tensor, kv: PagedKVCache):
        for i, layer in enumerate(self.layers):
            x = layer(x, kv, i)
        return x

    def embed(self, input_ids: Tensor):
        return self.embed_tokens(input_ids)

    def prefill(self, input_embed: Tensor, paged_kv_cache: PagedKVCache):
        h = _last_token(self._body(input_embed, paged_kv_cache))
        return self.lm_head(self.norm(h)), paged_kv_cache

    def decode(self, input_embed: Tensor, paged_kv_cache: PagedKVCache):
        h = self._body(input_embed, paged_kv_cache)
        return self.lm_head(self.norm(h)), paged_kv_cache

    def create_tir_paged_kv_cache(
        self,
        max_batch_size: tirx.Var,
        max_total_seq_len: tirx.Var,
        prefill_chunk_size: tirx.Var,
        page_size: tirx.Var,
        support_sliding_window: tirx.Var,
    ) -> PagedKVCache:
        c = self.c
        from tvm import relax as rx
        from tvm.target import Target

        return TIRPagedKVCache(
            attn_kind="mha",
            max_batch_size=max_batch_size,
            max_total_seq_len=max_total_seq_len,
            prefill_chunk_size=prefill_chunk_size,
            page_size=page_size,
            support_sliding_window=support_sliding_window,
            layer_partition=rx.ShapeExpr([0, c.num_hidden_layers]),
            num_hidden_layers=c.num_hidden_layers,
            num_attention_heads=c.num_attention_heads,
            num_key_value_heads=c.num_key_value_heads,
            qk_head_dim=c.head_dim,
            v_head_dim=c.head_dim,
            mla_original_qk_head_dim=0,
            mla_original_v_head_dim=0,
            rope_mode=RopeMode.NORMAL,
            rope_scale=1,
            rope_theta=c.rope_theta,
            rope_scaling={},
            rope_ext_factors=rx.prim_value(0),
            rotary_dim=c.head_dim,
            enable_disaggregation=False,
            dtype="float32",
            target=Target.current(),
        )

    # Sampling and logit processing, in web-llm's single-sequence calling convention.
    def softmax_with_temperature(self, logits: Tensor, temperature: Tensor):
        b, n, v = logits.shape
        t = op.reshape(temperature, (b, 1, 1))
        return op.softmax(logits / t, axis=-1)

    def argsort_probs(self, probs: Tensor):
        b, v = probs.shape
        return op.tensor_ir_op(
            _rank_sort,
            "argsort_probs",
            [probs],
            [Tensor.placeholder([b, v], "float32"), Tensor.placeholder([b, v], "int32")],
        )

    def sample_with_top_p(
        self,
        sorted_probs: Tensor,
        sorted_indices: Tensor,
        uniform_samples: Tensor,
        sample_indices: Tensor,
        top_p: Tensor,
    ):
        b, v = sorted_probs.shape
        n = sample_indices.shape[0]
        top_k = op.full((b, 1), tirx.IntImm("int32", self.c.vocab_size), dtype="int32")
        out = op.sample_top_p_top_k_from_sorted_prob(
            sorted_probs,
            sorted_indices,
            op.reshape(top_p, (b, 1)),
            top_k,
            op.reshape(uniform_samples, (n, 1)),
            op.reshape(sample_indices, (n, 1)),
        )
        return op.reshape(out, (n,))

    def apply_logit_bias_inplace(self, logits: Tensor, pos2seq: Tensor, ids: Tensor, bias: Tensor):
        return op.tensor_ir_inplace_op(
            _logit_bias, "apply_logit_bias", [logits, pos2seq, ids, bias], 0, logits
        )

    def apply_penalty_inplace(
        self,
        logits: Tensor,
        seq_ids: Tensor,
        pos2seq: Tensor,
        ids: Tensor,
        cnt: Tensor,
        penalties: Tensor,
    ):
        return op.tensor_ir_inplace_op(
            _penalty, "apply_penalty", [logits, seq_ids, pos2seq, ids, cnt, penalties], 0, logits
        )

    def apply_bitmask_inplace(self, logits: Tensor, seq_ids: Tensor, bitmask: Tensor):
        return op.tensor_ir_inplace_op(
            _bitmask, "apply_bitmask", [logits, seq_ids, bitmask], 0, logits
        )

    def get_default_spec(self):
        c = self.c
        f32, i32 = "float32", "int32"
        packed = {"param_mode": "packed", "effect_mode": "none"}
        plain = {"param_mode": "none", "effect_mode": "none"}
        kv = nn.spec.Object(object_type=PagedKVCache)
        return nn.spec.ModuleSpec.from_raw(
            {
                "embed": {"input_ids": nn.spec.Tensor(["seq_len"], i32), "$": packed},
                "prefill": {
                    "input_embed": nn.spec.Tensor([1, "seq_len", c.hidden_size], f32),
                    "paged_kv_cache": kv,
                    "$": packed,
                },
                "decode": {
                    "input_embed": nn.spec.Tensor([1, 1, c.hidden_size], f32),
                    "paged_kv_cache": kv,
                    "$": packed,
                },
                "create_tir_paged_kv_cache": {
                    "max_batch_size": int,
                    "max_total_seq_len": int,
                    "prefill_chunk_size": int,
                    "page_size": int,
                    "support_sliding_window": int,
                    "$": plain,
                },
                "softmax_with_temperature": {
                    "logits": nn.spec.Tensor(["batch", 1, c.vocab_size], f32),
                    "temperature": nn.spec.Tensor(["batch"], f32),
                    "$": plain,
                },
                "argsort_probs": {
                    "probs": nn.spec.Tensor(["batch", c.vocab_size], f32),
                    "$": plain,
                },
                "sample_with_top_p": {
                    "sorted_probs": nn.spec.Tensor(["batch", c.vocab_size], f32),
                    "sorted_indices": nn.spec.Tensor(["batch", c.vocab_size], i32),
                    "uniform_samples": nn.spec.Tensor(["num_samples"], f32),
                    "sample_indices": nn.spec.Tensor(["num_samples"], i32),
                    "top_p": nn.spec.Tensor(["batch"], f32),
                    "$": plain,
                },
                "apply_logit_bias_inplace": {
                    "logits": nn.spec.Tensor(["batch", c.vocab_size], f32),
                    "pos2seq": nn.spec.Tensor(["num_token"], i32),
                    "ids": nn.spec.Tensor(["num_token"], i32),
                    "bias": nn.spec.Tensor(["num_token"], f32),
                    "$": plain,
                },
                "apply_penalty_inplace": {
                    "logits": nn.spec.Tensor(["batch", c.vocab_size], f32),
                    "seq_ids": nn.spec.Tensor(["num_seq"], i32),
                    "pos2seq": nn.spec.Tensor(["num_token"], i32),
                    "ids": nn.spec.Tensor(["num_token"], i32),
                    "cnt": nn.spec.Tensor(["num_token"], i32),
                    "penalties": nn.spec.Tensor(["num_seq", 3], f32),
                    "$": plain,
                },
                "apply_bitmask_inplace": {
                    "logits": nn.spec.Tensor(["batch", c.vocab_size], f32),
                    "seq_ids": nn.spec.Tensor(["num_seq"], i32),
                    "bitmask": nn.spec.Tensor(["batch", (c.vocab_size + 31) // 32], i32),
                    "$": plain,
                },
            },
            self,
        )
