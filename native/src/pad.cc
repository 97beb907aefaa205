// Constant padding as one pass over the output: each output row (all axes but the last) is either wholly padding
// or padding, one input row and padding again. tfjs' pad filled the whole output and then copied the input into
// it (two passes, the first in one JavaScript thread): 0.43 ms for a 64×32×32×16 → 64×34×34×16 conv pad.
#include "pad.h"

#include <cstring>
#include <vector>

#include "common.h"

namespace netspec {

// padConstant(xShape, x, paddings, value, y): y = x with paddings[2d] values of `value` before axis d and
// paddings[2d + 1] after it; shapes row-major, at most 12 axes.
Napi::Value padConstant(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "xShape must be an Int32Array");
    size_t rank = info[0].As<Napi::TypedArray>().ElementLength();
    if (rank < 1 || rank > 12) throw Napi::RangeError::New(info.Env(), "rank must be 1..12");
    std::vector<int64_t> in = intsArg(info, 0, rank, "xShape");
    std::vector<int64_t> pads = intsArg(info, 2, 2 * rank, "paddings");
    std::vector<int64_t> out(rank);
    int64_t inSize = 1, outSize = 1;
    for (size_t d = 0; d < rank; d++) {
      if (in[d] < 0 || pads[2 * d] < 0 || pads[2 * d + 1] < 0) throw Napi::RangeError::New(info.Env(), "sizes and paddings must be >= 0");
      out[d] = pads[2 * d] + in[d] + pads[2 * d + 1];
      inSize *= in[d], outSize *= out[d];
    }
    const float *x = floatArg(info, 1, inSize, "x");
    float value = info[3].As<Napi::Number>().FloatValue();
    float *y = floatArg(info, 4, outSize, "y");
    // Axes after the last padded one are copied whole: fold them into that axis, so that a row is long (a
    // 64×32×32×16 spatial pad then has rows of 34·16 floats, not 16).
    while (rank > 1 && pads[2 * (rank - 1)] == 0 && pads[2 * rank - 1] == 0) {
      int64_t inner = in[rank - 1];
      in.pop_back(), out.pop_back(), pads.resize(2 * (rank - 1));
      rank--;
      in[rank - 1] *= inner, out[rank - 1] *= inner, pads[2 * (rank - 1)] *= inner, pads[2 * rank - 1] *= inner;
    }
    const int64_t rowLength = out[rank - 1], inRowLength = in[rank - 1];
    const int64_t before = pads[2 * (rank - 1)], after = pads[2 * rank - 1];
    const int64_t rows = rowLength == 0 ? 0 : outSize / rowLength;
    SingleThreadedBelow scope(outSize);
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < rows; row++) {
      float *dst = y + row * rowLength;
      // The row's index along every axis but the last, and the input row it reads, if any.
      int64_t rest = row, inRow = 0, inStride = 1;
      bool inside = true;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; d--) {
        int64_t i = rest % out[d] - pads[2 * d];
        rest /= out[d];
        if (i < 0 || i >= in[d]) inside = false;
        inRow += i * inStride;
        inStride *= in[d];
      }
      if (!inside || inRowLength == 0) {
        std::fill(dst, dst + rowLength, value);
        continue;
      }
      std::fill(dst, dst + before, value);
      std::memcpy(dst + before, x + inRow * inRowLength, inRowLength * sizeof(float));
      std::fill(dst + before + inRowLength, dst + before + inRowLength + after, value);
    }
  });
}

}  // namespace netspec
