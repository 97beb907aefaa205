// 2-D convolution forward, input gradient and filter gradient on oneDNN, straight on the caller's
// NHWC activations and HWIO filters. The filter is handed to oneDNN as `format_tag::any` and
// reordered each call (microseconds): forcing HWIO makes oneDNN fall back to a much slower gemm path.
#include "conv.h"

#include "common.h"

namespace netspec {
namespace {

using dnnl::algorithm;
using dnnl::prop_kind;

// Geometry as JavaScript passes it, an Int32Array of 15 integers:
// N, H, W, C, KH, KW, O, OH, OW, strideH, strideW, dilationH, dilationW, padTop, padLeft,
// and optionally a 16th, the number of groups G (ResNeXt's cardinality; default 1).
// Bottom/right padding follow from the output size. That covers TensorFlow's uneven 'same' padding
// and strided 'valid' convolutions that never read the last rows (oneDNN accepts a negative pad).
// A grouped filter is HWIO with I = C / G, its O axis holding group after group (Keras 3's layout).
constexpr size_t kGeometryLength = 15;

std::vector<int64_t> geometryArg(const Napi::CallbackInfo &info, size_t index) {
  size_t length = info[index].IsTypedArray() ? info[index].As<Napi::TypedArray>().ElementLength() : 0;
  return intsArg(info, index, length == kGeometryLength + 1 ? length : kGeometryLength, "geometry");
}

struct Geometry {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, groups = 1;
  Key key;

  Geometry(const Napi::CallbackInfo &info, size_t index) : key(geometryArg(info, index)) {
    const Key &g = key;
    n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], o = g[6], oh = g[7], ow = g[8];
    sh = g[9], sw = g[10], dh = g[11], dw = g[12], pt = g[13], pl = g[14];
    if (g.size() > kGeometryLength) groups = g[15];
    for (size_t i = 0; i < 13; i++) {
      if (g[i] < 1) throw Napi::RangeError::New(info.Env(), "geometry: sizes, strides and dilations must be >= 1");
    }
    if (pt < 0 || pl < 0) throw Napi::RangeError::New(info.Env(), "geometry: padding must be >= 0");
    if (groups < 1 || c % groups != 0 || o % groups != 0) {
      throw Napi::RangeError::New(info.Env(), "geometry: groups must divide the input and output channels");
    }
  }
  dnnl::memory::desc src() const { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
  dnnl::memory::desc dst() const { return {{n, o, oh, ow}, dt::f32, tag::nhwc}; }
  dims weightDims() const {
    if (groups == 1) return {o, c, kh, kw};
    return {groups, o / groups, c / groups, kh, kw};
  }
  dnnl::memory::desc userWeights() const {
    if (groups == 1) return {weightDims(), dt::f32, tag::hwio};
    // [kh][kw][c/G][G][o/G] in memory: strides of (G, o/G, c/G, kh, kw).
    int64_t og = o / groups, ig = c / groups;
    return {weightDims(), dt::f32, dims{og, 1, o, kw * ig * o, ig * o}};
  }
  dnnl::memory::desc anyWeights() const { return {weightDims(), dt::f32, tag::any}; }
  dnnl::memory::desc bias() const { return {{o}, dt::f32, tag::a}; }
  dims strides() const { return {sh, sw}; }
  dims dilations() const { return {dh - 1, dw - 1}; }  // oneDNN counts the gaps: 0 is a dense kernel
  dims padL() const { return {pt, pl}; }
  dims padR() const { return {(oh - 1) * sh + (kh - 1) * dh + 1 - h - pt, (ow - 1) * sw + (kw - 1) * dw + 1 - w - pl}; }
  size_t srcSize() const { return n * h * w * c; }
  size_t dstSize() const { return n * oh * ow * o; }
  size_t weightsSize() const { return kh * kw * (c / groups) * o; }
};

// The caller's HWIO filter and the primitive's own layout of it, with the reorder between the two.
struct Weights {
  dnnl::memory user, prim;
  dnnl::reorder reorder;
  bool needsReorder = false;

  void init(const Geometry &g, const dnnl::memory::desc &primDesc, bool toPrimitive) {
    user = dnnl::memory(g.userWeights(), cpuEngine(), DNNL_MEMORY_NONE);
    needsReorder = primDesc != g.userWeights();
    prim = needsReorder ? dnnl::memory(primDesc, cpuEngine()) : user;
    if (needsReorder) reorder = toPrimitive ? dnnl::reorder(user, prim) : dnnl::reorder(prim, user);
  }
  void toPrimitive(float *data) {
    user.set_data_handle(data);
    if (needsReorder) reorder.execute(cpuStream(), user, prim);
  }
  void fromPrimitive(float *data) {
    user.set_data_handle(data);
    if (needsReorder) reorder.execute(cpuStream(), prim, user);
  }
};

dnnl::memory userMemory(const dnnl::memory::desc &desc) { return dnnl::memory(desc, cpuEngine(), DNNL_MEMORY_NONE); }

dnnl::convolution_forward::desc forwardDesc(const Geometry &g, prop_kind kind, bool withBias) {
  if (withBias) {
    return {kind, algorithm::convolution_direct, g.src(), g.anyWeights(), g.bias(), g.dst(),
            g.strides(), g.dilations(), g.padL(), g.padR()};
  }
  return {kind, algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
          g.strides(), g.dilations(), g.padL(), g.padR()};
}

dnnl::convolution_forward::primitive_desc trainingHint(const Geometry &g) {
  return {forwardDesc(g, prop_kind::forward_training, false), cpuEngine()};
}

struct Forward {
  dnnl::convolution_forward prim;
  dnnl::memory src, dst, bias;
  Weights weights;
};

struct BackwardData {
  dnnl::convolution_backward_data prim;
  dnnl::memory diffSrc, diffDst;
  Weights weights;
};

struct BackwardWeights {
  dnnl::convolution_backward_weights prim;
  dnnl::memory src, diffDst;
  Weights diffWeights;
};

Cache<Forward> forwardCache;
Cache<BackwardData> backwardDataCache;
Cache<BackwardWeights> backwardWeightsCache;

std::unique_ptr<Forward> makeForward(const Geometry &g, bool withBias, bool relu) {
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  dnnl::convolution_forward::primitive_desc pd(forwardDesc(g, prop_kind::forward_inference, withBias), attr,
                                               cpuEngine());
  auto e = std::make_unique<Forward>();
  e->prim = dnnl::convolution_forward(pd);
  e->src = userMemory(g.src());
  e->dst = userMemory(g.dst());
  e->bias = userMemory(g.bias());
  e->weights.init(g, pd.weights_desc(), true);
  return e;
}

std::unique_ptr<BackwardData> makeBackwardData(const Geometry &g) {
  dnnl::convolution_backward_data::desc desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                             g.strides(), g.dilations(), g.padL(), g.padR());
  dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), trainingHint(g));
  auto e = std::make_unique<BackwardData>();
  e->prim = dnnl::convolution_backward_data(pd);
  e->diffSrc = userMemory(g.src());
  e->diffDst = userMemory(g.dst());
  e->weights.init(g, pd.weights_desc(), true);
  return e;
}

std::unique_ptr<BackwardWeights> makeBackwardWeights(const Geometry &g) {
  dnnl::convolution_backward_weights::desc desc(algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                                g.strides(), g.dilations(), g.padL(), g.padR());
  dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), trainingHint(g));
  auto e = std::make_unique<BackwardWeights>();
  e->prim = dnnl::convolution_backward_weights(pd);
  e->src = userMemory(g.src());
  e->diffDst = userMemory(g.dst());
  e->diffWeights.init(g, pd.diff_weights_desc(), false);
  return e;
}

template <typename Entry, typename Make>
Entry *lookup(Cache<Entry> &cache, const Key &key, Make make) {
  Entry *e = cache.find(key);
  return e != nullptr ? e : cache.insert(key, make());
}

}  // namespace

// conv2dForward(geometry, x, filter, bias | null, y, relu): y = relu?(conv(x, filter) + bias).
Napi::Value conv2dForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Geometry g(info, 0);
    float *x = floatArg(info, 1, g.srcSize(), "x");
    float *filter = floatArg(info, 2, g.weightsSize(), "filter");
    float *bias = optionalFloatArg(info, 3, g.o, "bias");
    float *y = floatArg(info, 4, g.dstSize(), "y");
    bool relu = info[5].ToBoolean();
    Key key = g.key;
    key.push_back(bias != nullptr);
    key.push_back(relu);
    Forward *e = lookup(forwardCache, key, [&] { return makeForward(g, bias != nullptr, relu); });
    e->src.set_data_handle(x);
    e->dst.set_data_handle(y);
    e->weights.toPrimitive(filter);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, e->src}, {DNNL_ARG_WEIGHTS, e->weights.prim}, {DNNL_ARG_DST, e->dst}};
    if (bias != nullptr) {
      e->bias.set_data_handle(bias);
      args[DNNL_ARG_BIAS] = e->bias;
    }
    e->prim.execute(cpuStream(), args);
    cpuStream().wait();
  });
}

// conv2dBackwardData(geometry, dy, filter, dx): the gradient of the input.
Napi::Value conv2dBackwardData(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Geometry g(info, 0);
    float *dy = floatArg(info, 1, g.dstSize(), "dy");
    float *filter = floatArg(info, 2, g.weightsSize(), "filter");
    float *dx = floatArg(info, 3, g.srcSize(), "dx");
    BackwardData *e = lookup(backwardDataCache, g.key, [&] { return makeBackwardData(g); });
    e->diffDst.set_data_handle(dy);
    e->diffSrc.set_data_handle(dx);
    e->weights.toPrimitive(filter);
    e->prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, e->diffDst},
                                  {DNNL_ARG_WEIGHTS, e->weights.prim},
                                  {DNNL_ARG_DIFF_SRC, e->diffSrc}});
    cpuStream().wait();
  });
}

// conv2dBackwardWeights(geometry, x, dy, dfilter): the gradient of the HWIO filter.
Napi::Value conv2dBackwardWeights(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Geometry g(info, 0);
    float *x = floatArg(info, 1, g.srcSize(), "x");
    float *dy = floatArg(info, 2, g.dstSize(), "dy");
    float *dfilter = floatArg(info, 3, g.weightsSize(), "dfilter");
    BackwardWeights *e = lookup(backwardWeightsCache, g.key, [&] { return makeBackwardWeights(g); });
    e->src.set_data_handle(x);
    e->diffDst.set_data_handle(dy);
    e->diffWeights.user.set_data_handle(dfilter);
    e->prim.execute(cpuStream(), {{DNNL_ARG_SRC, e->src},
                                  {DNNL_ARG_DIFF_DST, e->diffDst},
                                  {DNNL_ARG_DIFF_WEIGHTS, e->diffWeights.prim}});
    e->diffWeights.fromPrimitive(dfilter);
    cpuStream().wait();
  });
}

size_t convCacheSize() { return forwardCache.size() + backwardDataCache.size() + backwardWeightsCache.size(); }

}  // namespace netspec
