#pragma once
#include <napi.h>

namespace netspec {
Napi::Value matmul(const Napi::CallbackInfo &info);
size_t matmulCacheSize();
}  // namespace netspec
