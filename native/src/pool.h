#pragma once
#include <napi.h>

namespace netspec {
Napi::Value maxPoolForward(const Napi::CallbackInfo &info);
Napi::Value maxPoolBackward(const Napi::CallbackInfo &info);
size_t poolCacheSize();
}  // namespace netspec
