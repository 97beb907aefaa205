// netspec-native: oneDNN kernels for the tfjs wasm backend, called synchronously on Float32Array views.
#include <omp.h>

#include <cstdlib>  // defines __GLIBC__ where glibc is the C library
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "bnorm.h"
#include "common.h"
#include "conv.h"
#include "eltwise.h"
#include "matmul.h"
#include "optim.h"
#include "pad.h"
#include "pool.h"

namespace netspec {
namespace {

// oneDNN here is built on OpenMP: the thread count is the OpenMP one of the calling (main) thread.
// Primitives are created for a given thread count, so changing it drops the caches.
Napi::Value setThreads(const Napi::CallbackInfo &info) {
  if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw Napi::RangeError::New(info.Env(), "threads must be an integer >= 1");
  }
  int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads != omp_get_max_threads()) {
    omp_set_num_threads(threads);
    bumpCacheGeneration();
  }
  return info.Env().Undefined();
}

Napi::Value describe(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const dnnl::version_t *v = dnnl::version();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("threads", omp_get_max_threads());
  out.Set("cachedPrimitives", static_cast<double>(convCacheSize() + bnormCacheSize() + eltwiseCacheSize() + poolCacheSize() + matmulCacheSize()));
  return out;
}

}  // namespace
}  // namespace netspec

// The onednn backend gives every tensor a fresh ArrayBuffer (calloc). glibc serves blocks over 128 KiB with a
// new mmap and returns them with munmap, so every activation of every step page-faults its memory in again: a
// ResNet-20 training step ran 2.4 s instead of ~1 s that way. Keeping blocks up to glibc's ceiling (32 MiB) in the
// heap, and not trimming it, lets a step reuse the previous step's memory — the reuse PyTorch's allocator does.
static void keepFreedMemory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

static Napi::Object initAddon(Napi::Env env, Napi::Object exports) {
  using namespace netspec;
  keepFreedMemory();
  exports.Set("setThreads", Napi::Function::New(env, setThreads));
  exports.Set("info", Napi::Function::New(env, describe));
  exports.Set("conv2dForward", Napi::Function::New(env, conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, conv2dBackwardData));
  exports.Set("conv2dBackwardWeights", Napi::Function::New(env, conv2dBackwardWeights));
  exports.Set("batchNormForward", Napi::Function::New(env, batchNormForward));
  exports.Set("batchNormBackward", Napi::Function::New(env, batchNormBackward));
  exports.Set("batchNormReluWorkspaceLength", Napi::Function::New(env, batchNormReluWorkspaceLength));
  exports.Set("eltwiseForward", Napi::Function::New(env, eltwiseForward));
  exports.Set("reluBackward", Napi::Function::New(env, reluBackward));
  exports.Set("binary", Napi::Function::New(env, binary));
  exports.Set("stridedCopy", Napi::Function::New(env, stridedCopy));
  exports.Set("meanOverAxis", Napi::Function::New(env, meanOverAxis));
  exports.Set("maxPoolForward", Napi::Function::New(env, maxPoolForward));
  exports.Set("maxPoolBackward", Napi::Function::New(env, maxPoolBackward));
  exports.Set("matmul", Napi::Function::New(env, matmul));
  exports.Set("padConstant", Napi::Function::New(env, padConstant));
  exports.Set("adamStep", Napi::Function::New(env, adamStep));
  exports.Set("momentumStep", Napi::Function::New(env, momentumStep));
  return exports;
}

NODE_API_MODULE(netspec_native, initAddon)
