#pragma once
#include <napi.h>

namespace netspec {
Napi::Value conv2dForward(const Napi::CallbackInfo &info);
Napi::Value conv2dBackwardData(const Napi::CallbackInfo &info);
Napi::Value conv2dBackwardWeights(const Napi::CallbackInfo &info);
size_t convCacheSize();
}  // namespace netspec
