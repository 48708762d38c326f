# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "CODA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.coda_obj_root, "test")
config.excludes = ["inputs", "corpus", "Unit", "lit.cfg.py", "lit.site.cfg.py",
                   "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))
config.substitutions.append(("%coda_libs", config.coda_lib_dir))
config.substitutions.append(("%coda_obj", config.coda_obj_root))
config.substitutions.append(("%coda_src", config.coda_src_root))
# Debian's python3 has torch and onnx; the project's .venv adds onnxruntime.
config.substitutions.append(("%venv_python", os.path.join(config.coda_src_root, ".venv", "bin", "python")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Import", "inputs")))
config.substitutions.append(("%models", os.environ.get("CODA_MODELS_DIR",
                              os.path.join(config.coda_obj_root, "models"))))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_system_environment(["HOME", "TMPDIR"])

tool_dirs = [config.coda_tools_dir, config.llvm_tools_dir]
tools = ["coda-opt", "coda-translate", "coda-import-fuzzer", "coda-compile", "coda-run", "coda-profile", "coda-fit",
         ToolSubst("mlir-opt", command=os.path.join(config.llvm_tools_dir, "mlir-opt"))]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Optional suites: the generated torchvision models and Debian's ONNX test data.
if os.path.isdir(os.environ.get("CODA_MODELS_DIR", os.path.join(config.coda_obj_root, "models"))):
    config.available_features.add("torchvision-models")
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")

# ptxas (CUDA toolkit, not a Debian package) validates generated PTX when
# installed; the tests that need it are UNSUPPORTED elsewhere.
ptxas = os.environ.get("CODA_PTXAS", "/usr/local/cuda/bin/ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
