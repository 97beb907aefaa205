// Training-mode batch normalisation on oneDNN: one pass computes the batch statistics and the
// normalised output, one pass computes all three gradients. Channels are last; the data is described
// as N×H×W×C (a 2-D [rows, C] input is N×1×1×C). With a workspace argument the ReLU that follows is
// fused (oneDNN's fuse_norm_relu): the forward pass writes relu(bn(x)) and a mask of where it is positive
// into the workspace, and the backward pass applies that mask to dy before the three gradients.
#include "bnorm.h"

#include <cstring>

#include "common.h"

namespace netspec {
namespace {

using dnnl::normalization_flags;
using dnnl::prop_kind;

const normalization_flags kFlags = normalization_flags::use_scale | normalization_flags::use_shift;

struct Shape {
  int64_t n, h, w, c;
  float epsilon;
  bool relu;
  Key key;

  Shape(const Napi::CallbackInfo &info, bool fuseRelu) : relu(fuseRelu), key(intsArg(info, 0, 4, "shape")) {
    n = key[0], h = key[1], w = key[2], c = key[3];
    for (int64_t d : key) {
      if (d < 1) throw Napi::RangeError::New(info.Env(), "shape: sizes must be >= 1");
    }
    epsilon = info[1].As<Napi::Number>().FloatValue();
    if (!(epsilon > 0)) throw Napi::RangeError::New(info.Env(), "epsilon must be > 0");
    uint32_t bits;
    std::memcpy(&bits, &epsilon, sizeof bits);
    key.push_back(bits);
    key.push_back(relu);
  }
  normalization_flags flags() const { return relu ? kFlags | normalization_flags::fuse_norm_relu : kFlags; }
  dnnl::memory::desc data() const { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
  dnnl::memory::desc channel() const { return {{c}, dt::f32, tag::a}; }
  size_t size() const { return n * h * w * c; }
};

dnnl::memory userMemory(const dnnl::memory::desc &desc) { return dnnl::memory(desc, cpuEngine(), DNNL_MEMORY_NONE); }

dnnl::batch_normalization_forward::primitive_desc forwardPd(const Shape &s) {
  return {{prop_kind::forward_training, s.data(), s.epsilon, s.flags()}, cpuEngine()};
}

// The fused ReLU's workspace in float32 elements (its byte size rounded up), from a cached size per shape.
size_t workspaceLength(const Shape &s) {
  static std::map<Key, size_t> sizes;
  auto it = sizes.find(s.key);
  if (it == sizes.end()) it = sizes.emplace(s.key, (forwardPd(s).workspace_desc().get_size() + 3) / 4).first;
  return it->second;
}

// Every argument is the caller's memory; the map is built once and only the handles change per call.
struct Entry {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
  void bind(int arg, float *data) { args.at(arg).set_data_handle(data); }
};

Cache<Entry> forwardCache;
Cache<Entry> backwardCache;

std::unique_ptr<Entry> makeForward(const Shape &s) {
  auto e = std::make_unique<Entry>();
  auto pd = forwardPd(s);
  e->prim = dnnl::batch_normalization_forward(pd);
  for (int arg : {DNNL_ARG_SRC, DNNL_ARG_DST}) e->args[arg] = userMemory(s.data());
  if (s.relu) e->args[DNNL_ARG_WORKSPACE] = userMemory(pd.workspace_desc());
  for (int arg : {DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE}) {
    e->args[arg] = userMemory(s.channel());
  }
  return e;
}

std::unique_ptr<Entry> makeBackward(const Shape &s) {
  dnnl::batch_normalization_backward::desc desc(prop_kind::backward, s.data(), s.data(), s.epsilon, s.flags());
  auto e = std::make_unique<Entry>();
  auto hint = forwardPd(s);
  e->prim = dnnl::batch_normalization_backward({desc, cpuEngine(), hint});
  if (s.relu) e->args[DNNL_ARG_WORKSPACE] = userMemory(hint.workspace_desc());
  for (int arg : {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC}) e->args[arg] = userMemory(s.data());
  for (int arg : {DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT}) {
    e->args[arg] = userMemory(s.channel());
  }
  return e;
}

Entry *lookup(Cache<Entry> &cache, const Shape &s, std::unique_ptr<Entry> (*make)(const Shape &)) {
  Entry *e = cache.find(s.key);
  return e != nullptr ? e : cache.insert(s.key, make(s));
}

void run(Entry *e) {
  e->prim.execute(cpuStream(), e->args);
  cpuStream().wait();
}

}  // namespace

// Whether the optional workspace argument at `index` is given: then the ReLU is fused.
static bool hasWorkspace(const Napi::CallbackInfo &info, size_t index) {
  return info.Length() > index && !info[index].IsNull() && !info[index].IsUndefined();
}

// The workspace, checked against the size oneDNN asks for (in float32 elements, rounded up).
static float *workspaceArg(const Napi::CallbackInfo &info, size_t index, const Shape &s) {
  return floatArg(info, index, workspaceLength(s), "workspace");
}

// batchNormForward(shape, epsilon, x, gamma, beta, y, mean, variance[, workspace]): y = gamma·(x − mean)/√(var + ε)
// + beta with the batch mean and the biased batch variance, both written out; with a workspace, y = relu(that).
Napi::Value batchNormForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Shape s(info, hasWorkspace(info, 8));
    size_t c = s.c;
    float *x = floatArg(info, 2, s.size(), "x");
    float *gamma = floatArg(info, 3, c, "gamma");
    float *beta = floatArg(info, 4, c, "beta");
    float *y = floatArg(info, 5, s.size(), "y");
    float *mean = floatArg(info, 6, c, "mean");
    float *variance = floatArg(info, 7, c, "variance");
    Entry *e = lookup(forwardCache, s, makeForward);
    e->bind(DNNL_ARG_SRC, x), e->bind(DNNL_ARG_SCALE, gamma), e->bind(DNNL_ARG_SHIFT, beta);
    e->bind(DNNL_ARG_DST, y), e->bind(DNNL_ARG_MEAN, mean), e->bind(DNNL_ARG_VARIANCE, variance);
    if (s.relu) e->bind(DNNL_ARG_WORKSPACE, workspaceArg(info, 8, s));
    run(e);
  });
}

// batchNormBackward(shape, epsilon, x, dy, gamma, beta, mean, variance, dx, dgamma, dbeta[, workspace]), with the
// statistics (and the workspace) of the forward pass. oneDNN 2.6 refuses to run without the shift bound, though dx
// does not depend on it.
Napi::Value batchNormBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    Shape s(info, hasWorkspace(info, 11));
    size_t c = s.c;
    float *x = floatArg(info, 2, s.size(), "x");
    float *dy = floatArg(info, 3, s.size(), "dy");
    float *gamma = floatArg(info, 4, c, "gamma");
    float *beta = floatArg(info, 5, c, "beta");
    float *mean = floatArg(info, 6, c, "mean");
    float *variance = floatArg(info, 7, c, "variance");
    float *dx = floatArg(info, 8, s.size(), "dx");
    float *dgamma = floatArg(info, 9, c, "dgamma");
    float *dbeta = floatArg(info, 10, c, "dbeta");
    Entry *e = lookup(backwardCache, s, makeBackward);
    e->bind(DNNL_ARG_SRC, x), e->bind(DNNL_ARG_DIFF_DST, dy), e->bind(DNNL_ARG_SCALE, gamma), e->bind(DNNL_ARG_SHIFT, beta);
    e->bind(DNNL_ARG_MEAN, mean), e->bind(DNNL_ARG_VARIANCE, variance), e->bind(DNNL_ARG_DIFF_SRC, dx);
    e->bind(DNNL_ARG_DIFF_SCALE, dgamma), e->bind(DNNL_ARG_DIFF_SHIFT, dbeta);
    if (s.relu) e->bind(DNNL_ARG_WORKSPACE, workspaceArg(info, 11, s));
    run(e);
  });
}

// batchNormReluWorkspaceLength(shape, epsilon): how many float32 elements the fused ReLU's workspace takes.
Napi::Value batchNormReluWorkspaceLength(const Napi::CallbackInfo &info) {
  size_t length = 0;
  guarded(info, [&] { length = workspaceLength(Shape(info, true)); });
  return Napi::Number::New(info.Env(), static_cast<double>(length));
}

size_t bnormCacheSize() { return forwardCache.size() + backwardCache.size(); }

}  // namespace netspec
