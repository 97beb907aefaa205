// Elementwise ops on oneDNN: unary functions (ReLU, square, square root, …), the ReLU gradient, and binary
// arithmetic with broadcasting. tfjs' cpu backend runs these as one-threaded JavaScript loops; oneDNN's are
// vectorised and use every OpenMP thread. The caller picks which tensors are worth the call (large ones).
#include "eltwise.h"

#include <cstring>

#include "common.h"

namespace netspec {
namespace {

using dnnl::algorithm;

// The algorithm codes JavaScript passes (src/runtime/onednn/eltwise.ts keeps the same order).
const algorithm kUnary[] = {algorithm::eltwise_relu,   algorithm::eltwise_square, algorithm::eltwise_sqrt,
                            algorithm::eltwise_abs,    algorithm::eltwise_exp,    algorithm::eltwise_log,
                            algorithm::eltwise_linear, algorithm::eltwise_logistic, algorithm::eltwise_tanh};
const algorithm kBinary[] = {algorithm::binary_add, algorithm::binary_sub, algorithm::binary_mul,
                             algorithm::binary_div, algorithm::binary_max, algorithm::binary_min};


template <size_t N>
algorithm pick(const Napi::CallbackInfo &info, size_t index, const algorithm (&table)[N]) {
  int code = info[index].As<Napi::Number>().Int32Value();
  if (code < 0 || static_cast<size_t>(code) >= N) throw Napi::RangeError::New(info.Env(), "unknown algorithm code");
  return table[code];
}

int64_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

dnnl::memory userMemory(const dnnl::memory::desc &desc) { return dnnl::memory(desc, cpuEngine(), DNNL_MEMORY_NONE); }

struct Entry {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
  void bind(int arg, float *data) { args.at(arg).set_data_handle(data); }
  // `elements`: how much data the call touches; small calls run on this thread alone (see common.h).
  void run(int64_t elements) {
    SingleThreadedBelow scope(elements);
    prim.execute(cpuStream(), args);
    cpuStream().wait();
  }
};

Cache<Entry> unaryCache, reluGradCache, binaryCache, copyCache, reduceCache;

template <typename Make>
Entry *lookup(Cache<Entry> &cache, const Key &key, Make make) {
  Entry *e = cache.find(key);
  return e != nullptr ? e : cache.insert(key, make());
}

dnnl::memory::desc flat(int64_t n) { return {{n}, dt::f32, tag::a}; }

size_t elementLength(const Napi::CallbackInfo &info, size_t index) {
  if (!info[index].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "x must be a Float32Array");
  return info[index].As<Napi::TypedArray>().ElementLength();
}

// Dense row-major dims of a shape argument (an Int32Array of at most 12 sizes, oneDNN's limit).
dims shapeArg(const Napi::CallbackInfo &info, size_t index) {
  if (!info[index].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "shape must be an Int32Array");
  size_t rank = info[index].As<Napi::TypedArray>().ElementLength();
  if (rank < 1 || rank > DNNL_MAX_NDIMS) throw Napi::RangeError::New(info.Env(), "shape rank must be 1..12");
  dims d = intsArg(info, index, rank, "shape");
  for (int64_t v : d) {
    if (v < 1) throw Napi::RangeError::New(info.Env(), "shape: sizes must be >= 1");
  }
  return d;
}

size_t product(const dims &d) {
  size_t n = 1;
  for (int64_t v : d) n *= v;
  return n;
}

dnnl::memory::desc plain(const dims &d) {
  dims strides(d.size());
  int64_t s = 1;
  for (size_t i = d.size(); i-- > 0;) strides[i] = s, s *= d[i];
  return {d, dt::f32, strides};
}

}  // namespace

// eltwiseForward(code, alpha, beta, x, y): y = f(x) elementwise, f one of kUnary (alpha, beta as oneDNN defines
// them, e.g. linear: alpha·x + beta).
Napi::Value eltwiseForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    algorithm alg = pick(info, 0, kUnary);
    float alpha = info[1].As<Napi::Number>().FloatValue(), beta = info[2].As<Napi::Number>().FloatValue();
    int64_t n = elementLength(info, 3);
    float *x = floatArg(info, 3, n, "x");
    float *y = floatArg(info, 4, n, "y");
    Key key{static_cast<int64_t>(alg), floatBits(alpha), floatBits(beta), n};
    Entry *e = lookup(unaryCache, key, [&] {
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::eltwise_forward(
          {{dnnl::prop_kind::forward_inference, alg, flat(n), alpha, beta}, cpuEngine()});
      entry->args[DNNL_ARG_SRC] = userMemory(flat(n));
      entry->args[DNNL_ARG_DST] = userMemory(flat(n));
      return entry;
    });
    e->bind(DNNL_ARG_SRC, x), e->bind(DNNL_ARG_DST, y);
    e->run(n);
  });
}

// reluBackward(y, dy, dx): dx = dy where the ReLU's output y > 0, else 0 (from the output, so the ReLU's input
// need not be kept for the backward pass).
Napi::Value reluBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    int64_t n = elementLength(info, 0);
    float *y = floatArg(info, 0, n, "y");
    float *dy = floatArg(info, 1, n, "dy");
    float *dx = floatArg(info, 2, n, "dx");
    Entry *e = lookup(reluGradCache, Key{n}, [&] {
      auto hint = dnnl::eltwise_forward::primitive_desc(
          {dnnl::prop_kind::forward_training, algorithm::eltwise_relu_use_dst_for_bwd, flat(n)}, cpuEngine());
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::eltwise_backward(
          {{algorithm::eltwise_relu_use_dst_for_bwd, flat(n), flat(n)}, cpuEngine(), hint});
      for (int arg : {DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC}) entry->args[arg] = userMemory(flat(n));
      return entry;
    });
    e->bind(DNNL_ARG_DST, y), e->bind(DNNL_ARG_DIFF_DST, dy), e->bind(DNNL_ARG_DIFF_SRC, dx);
    e->run(n);
  });
}

// binary(code, shapeA, a, shapeB, b, y[, relu]): y = a ∘ b, ∘ one of kBinary, then max(·, 0) with `relu` (a
// post-op in the same pass: the residual add and the ReLU after it). Both shapes have the same rank; y has a's
// shape, and b broadcasts along its axes of size 1 (oneDNN 2.6 broadcasts the second operand only).
Napi::Value binary(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    algorithm alg = pick(info, 0, kBinary);
    dims da = shapeArg(info, 1), db = shapeArg(info, 3);
    if (da.size() != db.size()) throw Napi::RangeError::New(info.Env(), "shapes must have the same rank");
    for (size_t i = 0; i < da.size(); i++) {
      if (db[i] != da[i] && db[i] != 1) throw Napi::RangeError::New(info.Env(), "b does not broadcast to a's shape");
    }
    float *a = floatArg(info, 2, product(da), "a");
    float *b = floatArg(info, 4, product(db), "b");
    float *y = floatArg(info, 5, product(da), "y");
    bool relu = info.Length() > 6 && info[6].ToBoolean().Value();
    Key key{static_cast<int64_t>(alg), relu ? 1 : 0};
    key.insert(key.end(), da.begin(), da.end());
    key.insert(key.end(), db.begin(), db.end());
    Entry *e = lookup(binaryCache, key, [&] {
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(ops);
      }
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::binary({{alg, plain(da), plain(db), plain(da)}, attr, cpuEngine()});
      entry->args[DNNL_ARG_SRC_0] = userMemory(plain(da));
      entry->args[DNNL_ARG_SRC_1] = userMemory(plain(db));
      entry->args[DNNL_ARG_DST] = userMemory(plain(da));
      return entry;
    });
    e->bind(DNNL_ARG_SRC_0, a), e->bind(DNNL_ARG_SRC_1, b), e->bind(DNNL_ARG_DST, y);
    e->run(product(da));
  });
}

// stridedCopy(dims, src, srcStrides, srcOffset, dst, dstStrides, dstOffset): copies the block of `dims` elements
// from src (element strides and offset) to dst (same), as one multi-threaded oneDNN reorder. A slice reads a
// strided block of its input into a dense output; a pad writes a dense input into a strided block of its output.
Napi::Value stridedCopy(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    dims d = shapeArg(info, 0);
    struct Side {
      float *data;
      dims strides;
      int64_t offset;
    };
    auto side = [&](size_t index, const char *name) {
      if (!info[index].IsTypedArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
      size_t length = info[index].As<Napi::TypedArray>().ElementLength();
      Side s{floatArg(info, index, length, name), intsArg(info, index + 1, d.size(), "strides"),
             info[index + 2].As<Napi::Number>().Int64Value()};
      // The last element the block touches must lie inside the array: no write or read beyond it.
      int64_t last = s.offset;
      for (size_t i = 0; i < d.size(); i++) {
        if (s.strides[i] < 0) throw Napi::RangeError::New(info.Env(), "strides must be >= 0");
        last += (d[i] - 1) * s.strides[i];
      }
      if (s.offset < 0 || last >= static_cast<int64_t>(length)) {
        throw Napi::RangeError::New(info.Env(), std::string(name) + ": the block lies outside the array");
      }
      return s;
    };
    Side src = side(1, "src"), dst = side(4, "dst");
    Key key = d;
    key.insert(key.end(), src.strides.begin(), src.strides.end());
    key.insert(key.end(), dst.strides.begin(), dst.strides.end());
    Entry *e = lookup(copyCache, key, [&] {
      dnnl::memory::desc from(d, dt::f32, src.strides), to(d, dt::f32, dst.strides);
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::reorder({cpuEngine(), from, cpuEngine(), to});
      entry->args[DNNL_ARG_FROM] = userMemory(from);
      entry->args[DNNL_ARG_TO] = userMemory(to);
      return entry;
    });
    e->bind(DNNL_ARG_FROM, src.data + src.offset), e->bind(DNNL_ARG_TO, dst.data + dst.offset);
    e->run(product(d));
  });
}

// meanOverAxis(outer, reduced, inner, x, y): x is [outer, reduced, inner] (dense), y is [outer, inner] = the mean
// over the middle axis. Run as an average pooling over a reduced×1 window of an NHWC image, which oneDNN has JIT
// kernels for; its reduction primitive falls back to a scalar reference loop (~30 ns an element) for middle axes.
Napi::Value meanOverAxis(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    int64_t outer = info[0].As<Napi::Number>().Int64Value(), reduced = info[1].As<Napi::Number>().Int64Value();
    int64_t inner = info[2].As<Napi::Number>().Int64Value();
    if (outer < 1 || reduced < 1 || inner < 1) throw Napi::RangeError::New(info.Env(), "sizes must be >= 1");
    float *x = floatArg(info, 3, outer * reduced * inner, "x");
    float *y = floatArg(info, 4, outer * inner, "y");
    Entry *e = lookup(reduceCache, Key{outer, reduced, inner}, [&] {
      dnnl::memory::desc src({outer, inner, reduced, 1}, dt::f32, tag::nhwc), dst({outer, inner, 1, 1}, dt::f32, tag::nhwc);
      auto entry = std::make_unique<Entry>();
      entry->prim = dnnl::pooling_forward({{dnnl::prop_kind::forward_inference, algorithm::pooling_avg_exclude_padding,
                                            src, dst, {1, 1}, {reduced, 1}, {0, 0}, {0, 0}},
                                           cpuEngine()});
      entry->args[DNNL_ARG_SRC] = userMemory(src);
      entry->args[DNNL_ARG_DST] = userMemory(dst);
      return entry;
    });
    e->bind(DNNL_ARG_SRC, x), e->bind(DNNL_ARG_DST, y);
    e->run(outer * reduced * inner);
  });
}

size_t eltwiseCacheSize() {
  return unaryCache.size() + reluGradCache.size() + binaryCache.size() + copyCache.size() + reduceCache.size();
}

}  // namespace netspec
