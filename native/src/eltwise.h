#pragma once
#include <napi.h>

namespace netspec {
Napi::Value eltwiseForward(const Napi::CallbackInfo &info);
Napi::Value reluBackward(const Napi::CallbackInfo &info);
Napi::Value binary(const Napi::CallbackInfo &info);
Napi::Value stridedCopy(const Napi::CallbackInfo &info);
Napi::Value meanOverAxis(const Napi::CallbackInfo &info);
size_t eltwiseCacheSize();
}  // namespace netspec
