// Max pooling forward and backward on oneDNN, NHWC. tfjs' cpu MaxPoolGrad recomputes each window's argmax with
// index arithmetic per element: 10.5 s of a 15.8 s ResNet-50 training step (batch 8, 224²) went to the stem's
// one pooling gradient. oneDNN's backward needs the forward's workspace (where each maximum was); the backward
// call recomputes it from x with a forward-training pass, so no state outlives a call.
#include "pool.h"

#include "common.h"

namespace netspec {
namespace {

using dnnl::algorithm;
using dnnl::prop_kind;

// N, H, W, C, KH, KW, OH, OW, strideH, strideW, padTop, padLeft; bottom/right padding follow from OH, OW.
constexpr size_t kPoolGeometryLength = 12;

struct PoolGeometry {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pl;
  Key key;
  PoolGeometry(const Napi::CallbackInfo &info) : key(intsArg(info, 0, kPoolGeometryLength, "geometry")) {
    const Key &g = key;
    n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], oh = g[6], ow = g[7];
    sh = g[8], sw = g[9], pt = g[10], pl = g[11];
    for (size_t i = 0; i < 10; i++) {
      if (g[i] < 1) throw Napi::RangeError::New(info.Env(), "geometry: sizes and strides must be >= 1");
    }
    if (pt < 0 || pl < 0) throw Napi::RangeError::New(info.Env(), "geometry: padding must be >= 0");
  }
  dnnl::memory::desc src() const { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
  dnnl::memory::desc dst() const { return {{n, c, oh, ow}, dt::f32, tag::nhwc}; }
  dims padR() const { return {(oh - 1) * sh + kh - h - pt, (ow - 1) * sw + kw - w - pl}; }
  dnnl::pooling_forward::desc forward(prop_kind kind) const {
    return {kind, algorithm::pooling_max, src(), dst(), {sh, sw}, {kh, kw}, {pt, pl}, padR()};
  }
  size_t srcSize() const { return n * h * w * c; }
  size_t dstSize() const { return n * oh * ow * c; }
};

dnnl::memory userMemory(const dnnl::memory::desc &desc) { return dnnl::memory(desc, cpuEngine(), DNNL_MEMORY_NONE); }

struct Forward {
  dnnl::pooling_forward prim;
  dnnl::memory src, dst;
};

// The backward pass owns the forward-training pass that finds the maxima, its scratch output and workspace.
struct Backward {
  dnnl::pooling_forward forward;
  dnnl::pooling_backward prim;
  dnnl::memory src, scratch, workspace, diffDst, diffSrc;
};

Cache<Forward> forwardCache;
Cache<Backward> backwardCache;

}  // namespace

// maxPoolForward(geometry, x, y): y = the maximum of each window of x.
Napi::Value maxPoolForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    PoolGeometry g(info);
    float *x = floatArg(info, 1, g.srcSize(), "x");
    float *y = floatArg(info, 2, g.dstSize(), "y");
    Forward *e = forwardCache.find(g.key);
    if (e == nullptr) {
      auto entry = std::make_unique<Forward>();
      entry->prim = dnnl::pooling_forward({g.forward(prop_kind::forward_inference), cpuEngine()});
      entry->src = userMemory(g.src());
      entry->dst = userMemory(g.dst());
      e = forwardCache.insert(g.key, std::move(entry));
    }
    e->src.set_data_handle(x);
    e->dst.set_data_handle(y);
    e->prim.execute(cpuStream(), {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_DST, e->dst}});
    cpuStream().wait();
  });
}

// maxPoolBackward(geometry, x, dy, dx): dx = dy routed to where each window's maximum of x was, 0 elsewhere.
Napi::Value maxPoolBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    PoolGeometry g(info);
    float *x = floatArg(info, 1, g.srcSize(), "x");
    float *dy = floatArg(info, 2, g.dstSize(), "dy");
    float *dx = floatArg(info, 3, g.srcSize(), "dx");
    Backward *e = backwardCache.find(g.key);
    if (e == nullptr) {
      dnnl::pooling_forward::primitive_desc hint(g.forward(prop_kind::forward_training), cpuEngine());
      dnnl::pooling_backward::desc desc(algorithm::pooling_max, g.src(), g.dst(), {g.sh, g.sw}, {g.kh, g.kw},
                                        {g.pt, g.pl}, g.padR());
      dnnl::pooling_backward::primitive_desc pd(desc, cpuEngine(), hint);
      auto entry = std::make_unique<Backward>();
      entry->forward = dnnl::pooling_forward(hint);
      entry->prim = dnnl::pooling_backward(pd);
      entry->src = userMemory(g.src());
      entry->scratch = dnnl::memory(g.dst(), cpuEngine());
      entry->workspace = dnnl::memory(hint.workspace_desc(), cpuEngine());
      entry->diffDst = userMemory(g.dst());
      entry->diffSrc = userMemory(g.src());
      e = backwardCache.insert(g.key, std::move(entry));
    }
    e->src.set_data_handle(x);
    e->diffDst.set_data_handle(dy);
    e->diffSrc.set_data_handle(dx);
    e->forward.execute(cpuStream(), {{DNNL_ARG_SRC, e->src}, {DNNL_ARG_DST, e->scratch}, {DNNL_ARG_WORKSPACE, e->workspace}});
    e->prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, e->diffDst}, {DNNL_ARG_WORKSPACE, e->workspace}, {DNNL_ARG_DIFF_SRC, e->diffSrc}});
    cpuStream().wait();
  });
}

size_t poolCacheSize() { return forwardCache.size() + backwardCache.size(); }

}  // namespace netspec
