#include "common.h"

namespace netspec {

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

static int generation = 0;
int cacheGeneration() { return generation; }
void bumpCacheGeneration() { ++generation; }

static Napi::TypedArray typedArg(const Napi::CallbackInfo &info, size_t index, napi_typedarray_type type,
                                 size_t expected, const char *name, const char *typeName) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a " + typeName);
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ElementLength() != expected) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(array.ElementLength()) +
                                                " elements, expected " + std::to_string(expected));
  }
  return array;
}

float *floatArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name) {
  return typedArg(info, index, napi_float32_array, expected, name, "Float32Array")
      .As<Napi::Float32Array>()
      .Data();
}

float *optionalFloatArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return floatArg(info, index, expected, name);
}

std::vector<int64_t> intsArg(const Napi::CallbackInfo &info, size_t index, size_t expected, const char *name) {
  Napi::Int32Array array =
      typedArg(info, index, napi_int32_array, expected, name, "Int32Array").As<Napi::Int32Array>();
  return std::vector<int64_t>(array.Data(), array.Data() + expected);
}

}  // namespace netspec
