// Shared helpers for the oneDNN addon: one CPU engine and stream for the process, typed-array access
// without copies, and argument checks that turn bad calls into JavaScript errors instead of memory
// corruption.
#pragma once

#include <napi.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace netspec {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

dnnl::engine &cpuEngine();
dnnl::stream &cpuStream();

// A cache key: the integers that fully describe a primitive (shape, strides, padding, flags).
using Key = std::vector<int64_t>;

// Cached primitives are tied to the thread count they were created for; bumping the generation
// drops every cache lazily.
int cacheGeneration();
void bumpCacheGeneration();

// A per-kind primitive cache, cleared when the thread count changes.
template <typename Entry>
class Cache {
 public:
  Entry *find(const Key &key) {
    sync();
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second.get();
  }
  Entry *insert(const Key &key, std::unique_ptr<Entry> entry) {
    sync();
    Entry *raw = entry.get();
    entries_[key] = std::move(entry);
    return raw;
  }
  size_t size() {
    sync();
    return entries_.size();
  }

 private:
  void sync() {
    if (generation_ != cacheGeneration()) {
      entries_.clear();
      generation_ = cacheGeneration();
    }
  }
  std::map<Key, std::unique_ptr<Entry>> entries_;
  int generation_ = -1;
};

// Pointer to the first element of a Float32Array argument (a zero-copy view, e.g. of the tfjs wasm
// heap), after checking that it holds exactly `expected` elements.
float *floatArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name);

// Same, but `null`/`undefined` gives nullptr (optional inputs such as a bias).
float *optionalFloatArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name);

// The integers of an Int32Array argument, checking its length.
std::vector<int64_t> intsArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name);

// Below this many elements a call runs on the calling thread alone: waking the other OpenMP threads for it costs
// more than they save (a 36 k-element multiply took 57 µs on 2 threads, 20 µs on 1).
constexpr int64_t kSingleThreadedBelow = 1 << 17;

// For the scope's lifetime, OpenMP (and so oneDNN) runs small work on one thread.
class SingleThreadedBelow {
 public:
  explicit SingleThreadedBelow(int64_t elements) : saved_(elements < kSingleThreadedBelow ? omp_get_max_threads() : 0) {
    if (saved_ > 1) omp_set_num_threads(1);
  }
  ~SingleThreadedBelow() {
    if (saved_ > 1) omp_set_num_threads(saved_);
  }
  SingleThreadedBelow(const SingleThreadedBelow &) = delete;
  SingleThreadedBelow &operator=(const SingleThreadedBelow &) = delete;

 private:
  int saved_;
};

// Runs `body`, turning oneDNN and argument errors into JavaScript exceptions.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo &info, F body) {
  try {
    body();
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
  return info.Env().Undefined();
}

// A reorder between two memories, or nothing when their layouts already agree.
struct Reorder {
  bool needed = false;
  dnnl::reorder prim;
  void init(const dnnl::memory &from, const dnnl::memory &to) {
    needed = from.get_desc() != to.get_desc();
    if (needed) prim = dnnl::reorder(from, to);
  }
  void run(dnnl::memory &from, dnnl::memory &to) {
    if (needed) prim.execute(cpuStream(), from, to);
  }
};

}  // namespace netspec
