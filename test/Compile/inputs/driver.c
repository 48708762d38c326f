/* A plain C program using a compiled model through the C ABI only (dlopen,
   no C++ runtime, no libm of its own): prints the first output value. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "coda/Runtime/CodaModel.h"

int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  coda_status (*init)(coda_model **) = dlsym(lib, "coda_init");
  coda_status (*run)(coda_model *, const float *const *, float *const *) =
      dlsym(lib, "coda_run");
  void (*release)(coda_model *) = dlsym(lib, "coda_free");
  const coda_tensor_info *(*input)(int32_t) = dlsym(lib, "coda_input_info");
  const coda_tensor_info *(*output)(int32_t) = dlsym(lib, "coda_output_info");
  if (!init || !run || !release || !input || !output)
    return 1;
  long in = 1, out = 1;
  for (int i = 0; i < input(0)->rank; ++i)
    in *= input(0)->shape[i];
  for (int i = 0; i < output(0)->rank; ++i)
    out *= output(0)->shape[i];
  float *x = calloc(in, sizeof(float)), *y = calloc(out, sizeof(float));
  coda_model *model;
  if (init(&model) != CODA_OK || run(model, (const float *const *)&x, &y) != CODA_OK)
    return 1;
  printf("%s[0] = %f\n", output(0)->name, y[0]);
  release(model);
  free(x);
  free(y);
  return 0;
}
