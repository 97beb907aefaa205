// Optimizer updates as one pass over each variable: tfjs composes Adam from ten elementwise ops (ten passes over
// memory and nine temporary tensors per variable), momentum SGD from three. Each line below is one of those ops,
// in tfjs' order and in float32, so the results are the ones the composition gives (IEEE single-precision
// +, −, ×, ÷ and √ are correctly rounded either way; no fused multiply-add: see binding.gyp).
#include "optim.h"

#include <cmath>

#include "common.h"

namespace netspec {
namespace {

// Below this many elements the threads cost more than they save.
const int64_t kMinParallel = 1 << 15;

int64_t lengthOf(const Napi::CallbackInfo &info, size_t index) {
  if (!info[index].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "value must be a Float32Array");
  return static_cast<int64_t>(info[index].As<Napi::TypedArray>().ElementLength());
}

}  // namespace

// adamStep(constants, value, gradient, m, v, newValue, newM, newV), constants = [β1, 1 − β1, β2, 1 − β2,
// 1 − β1^t, 1 − β2^t, ε, −lr] as float32:
//   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2);  w' = (m'/(1 − β1^t)) / (√(v'/(1 − β2^t)) + ε) · (−lr) + w.
Napi::Value adamStep(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    const float *k = floatArg(info, 0, 8, "constants");
    int64_t n = lengthOf(info, 1);
    const float *w = floatArg(info, 1, n, "value"), *g = floatArg(info, 2, n, "gradient");
    const float *m = floatArg(info, 3, n, "m"), *v = floatArg(info, 4, n, "v");
    float *w2 = floatArg(info, 5, n, "newValue"), *m2 = floatArg(info, 6, n, "newM"), *v2 = floatArg(info, 7, n, "newV");
    const float beta1 = k[0], oneMinusBeta1 = k[1], beta2 = k[2], oneMinusBeta2 = k[3];
    const float correction1 = k[4], correction2 = k[5], epsilon = k[6], minusRate = k[7];
#pragma omp parallel for schedule(static) if (n >= kMinParallel)
    for (int64_t i = 0; i < n; i++) {
      float gi = g[i];
      float mi = m[i] * beta1 + gi * oneMinusBeta1;
      float vi = v[i] * beta2 + (gi * gi) * oneMinusBeta2;
      m2[i] = mi;
      v2[i] = vi;
      w2[i] = ((mi / correction1) / (std::sqrt(vi / correction2) + epsilon)) * minusRate + w[i];
    }
  });
}

// momentumStep(constants, value, gradient, accumulation, newValue, newAccumulation), constants = [μ, −lr,
// nesterov ? 1 : 0] as float32:  a' = μ·a + g;  w' = −lr·a' + w, or with Nesterov w' = −lr·(g + a'·μ) + w.
Napi::Value momentumStep(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    const float *k = floatArg(info, 0, 3, "constants");
    int64_t n = lengthOf(info, 1);
    const float *w = floatArg(info, 1, n, "value"), *g = floatArg(info, 2, n, "gradient");
    const float *a = floatArg(info, 3, n, "accumulation");
    float *w2 = floatArg(info, 4, n, "newValue"), *a2 = floatArg(info, 5, n, "newAccumulation");
    const float mu = k[0], minusRate = k[1];
    const bool nesterov = k[2] != 0;
#pragma omp parallel for schedule(static) if (n >= kMinParallel)
    for (int64_t i = 0; i < n; i++) {
      float ai = mu * a[i] + g[i];
      a2[i] = ai;
      w2[i] = nesterov ? minusRate * (g[i] + ai * mu) + w[i] : minusRate * ai + w[i];
    }
  });
}

}  // namespace netspec
