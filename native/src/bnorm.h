#pragma once
#include <napi.h>

namespace netspec {
Napi::Value batchNormForward(const Napi::CallbackInfo &info);
Napi::Value batchNormBackward(const Napi::CallbackInfo &info);
Napi::Value batchNormReluWorkspaceLength(const Napi::CallbackInfo &info);
size_t bnormCacheSize();
}  // namespace netspec
