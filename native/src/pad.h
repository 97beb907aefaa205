#pragma once
#include <napi.h>

namespace netspec {
Napi::Value padConstant(const Napi::CallbackInfo &info);
}  // namespace netspec
