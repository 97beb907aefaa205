// Batched matrix products on oneDNN's matmul primitive: tfjs' BatchMatMul, which a dense layer's forward pass
// and both of its gradients run as (the gradients with one operand transposed). tfjs' cpu kernel is a blocked
// JavaScript loop on one thread. A transposed operand is described by its strides, so no copy is made.
#include "matmul.h"

#include <unordered_map>

#include "common.h"

namespace netspec {
namespace {

// B, M, N, K, transposeA, transposeB, hasBias, relu: c[b] (M×N) = act(op(a[b]) (M×K) · op(b[b]) (K×N) + bias),
// every operand row-major, the bias one value per column.
constexpr size_t kMatmulGeometryLength = 8;

using dnnl::algorithm;

struct Entry {
  dnnl::matmul prim;
  dnnl::memory a, b, bias, c;
};

Cache<Entry> cache;

dnnl::memory userMemory(const dnnl::memory::desc &desc) { return dnnl::memory(desc, cpuEngine(), DNNL_MEMORY_NONE); }

}  // namespace

// matmul(geometry, a, b, bias, c): c = act(op(a) · op(b) + bias) per batch entry; bias null without one.
Napi::Value matmul(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Key key = intsArg(info, 0, kMatmulGeometryLength, "geometry");
    const int64_t B = key[0], M = key[1], N = key[2], K = key[3];
    const bool ta = key[4] != 0, tb = key[5] != 0, hasBias = key[6] != 0, relu = key[7] != 0;
    for (size_t i = 0; i < 4; i++) {
      if (key[i] < 1) throw Napi::RangeError::New(info.Env(), "geometry: sizes must be >= 1");
    }
    float *a = floatArg(info, 1, B * M * K, "a");
    float *b = floatArg(info, 2, B * K * N, "b");
    float *bias = hasBias ? floatArg(info, 3, N, "bias") : nullptr;
    float *c = floatArg(info, 4, B * M * N, "c");
    Entry *e = cache.find(key);
    if (e == nullptr) {
      // Logical dims [B, M, K] and [B, K, N]; a transposed operand is stored [B, K, M] (resp. [B, N, K]).
      dnnl::memory::desc ad({B, M, K}, dt::f32, ta ? dims{M * K, 1, M} : dims{M * K, K, 1});
      dnnl::memory::desc bd({B, K, N}, dt::f32, tb ? dims{K * N, 1, K} : dims{K * N, N, 1});
      dnnl::memory::desc cd({B, M, N}, dt::f32, dims{M * N, N, 1});
      dnnl::memory::desc biasd({1, 1, N}, dt::f32, dims{N, N, 1});
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(ops);
      }
      auto desc = hasBias ? dnnl::matmul::desc(ad, bd, biasd, cd) : dnnl::matmul::desc(ad, bd, cd);
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::matmul({desc, attr, cpuEngine()});
      entry->a = userMemory(ad);
      entry->b = userMemory(bd);
      entry->bias = userMemory(biasd);
      entry->c = userMemory(cd);
      e = cache.insert(key, std::move(entry));
    }
    e->a.set_data_handle(a);
    e->b.set_data_handle(b);
    e->c.set_data_handle(c);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->b}, {DNNL_ARG_DST, e->c}};
    if (hasBias) {
      e->bias.set_data_handle(bias);
      args.insert({DNNL_ARG_BIAS, e->bias});
    }
    e->prim.execute(cpuStream(), args);
    cpuStream().wait();
  });
}

size_t matmulCacheSize() { return cache.size(); }

}  // namespace netspec
