// CuteGPT Web shim (own code): the one helper TVM's sort.cc calls, widening an IEEE
// binary floating-point number (here half to float) bit by bit.
#ifndef CUTEGPT_SHIM_BUILTIN_FP16_H_
#define CUTEGPT_SHIM_BUILTIN_FP16_H_
#include <cstdint>
#include <cstring>

template <typename SRC_T, typename SRC_REP_T, int SRC_SIG_BITS, typename DST_T, typename DST_REP_T,
          int DST_SIG_BITS>
static inline DST_T __extendXfYf2__(SRC_T a) {
  constexpr int kSrcBits = sizeof(SRC_REP_T) * 8;
  constexpr int kSrcExpBits = kSrcBits - SRC_SIG_BITS - 1;
  constexpr int kDstBits = sizeof(DST_REP_T) * 8;
  constexpr int kDstExpBits = kDstBits - DST_SIG_BITS - 1;
  constexpr int kSrcBias = (1 << (kSrcExpBits - 1)) - 1;
  constexpr int kDstBias = (1 << (kDstExpBits - 1)) - 1;
  SRC_REP_T bits;
  std::memcpy(&bits, &a, sizeof(bits));
  DST_REP_T sign = static_cast<DST_REP_T>((bits >> (kSrcBits - 1)) & 1) << (kDstBits - 1);
  int exp = static_cast<int>((bits >> SRC_SIG_BITS) & ((1 << kSrcExpBits) - 1));
  DST_REP_T sig = static_cast<DST_REP_T>(bits & ((SRC_REP_T(1) << SRC_SIG_BITS) - 1));
  DST_REP_T out;
  if (exp == (1 << kSrcExpBits) - 1) {  // infinity or NaN
    out = sign | (DST_REP_T((1 << kDstExpBits) - 1) << DST_SIG_BITS) |
          (sig << (DST_SIG_BITS - SRC_SIG_BITS));
  } else if (exp == 0 && sig == 0) {  // zero
    out = sign;
  } else if (exp == 0) {  // subnormal: normalise
    int e = 1 - kSrcBias;
    while ((sig & (DST_REP_T(1) << SRC_SIG_BITS)) == 0) {
      sig <<= 1;
      --e;
    }
    sig &= (DST_REP_T(1) << SRC_SIG_BITS) - 1;
    out = sign | (DST_REP_T(e + kDstBias) << DST_SIG_BITS) | (sig << (DST_SIG_BITS - SRC_SIG_BITS));
  } else {
    out = sign | (DST_REP_T(exp - kSrcBias + kDstBias) << DST_SIG_BITS) |
          (sig << (DST_SIG_BITS - SRC_SIG_BITS));
  }
  DST_T r;
  std::memcpy(&r, &out, sizeof(r));
  return r;
}
#endif
