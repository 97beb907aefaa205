{
  "targets": [
    {
      "target_name": "netspec_native",
      "sources": ["src/addon.cc", "src/common.cc", "src/conv.cc", "src/bnorm.cc", "src/eltwise.cc", "src/pool.cc", "src/matmul.cc", "src/optim.cc", "src/pad.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-fopenmp", "-ffp-contract=off"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
