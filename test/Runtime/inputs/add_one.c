/*===- add_one.c - A hand-written model library for coda-run's tests ------===*\
|*                                                                            *|
|* Implements CodaModel.h for y = x + 1 on one 1x2x3x4 input. Built again    *|
|* with -DADD_ONE_ABI_VERSION=99 to test the ABI check.                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "coda/Runtime/CodaModel.h"

#include <stdlib.h>

#ifndef ADD_ONE_ABI_VERSION
#define ADD_ONE_ABI_VERSION CODA_ABI_VERSION
#endif

enum { NUM_ELEMENTS = 1 * 2 * 3 * 4 };

struct coda_model {
  int64_t runs;
};

static const coda_tensor_info inputInfo = {"x", 4, {1, 2, 3, 4}};
static const coda_tensor_info outputInfo = {"y", 4, {1, 2, 3, 4}};

int32_t coda_abi_version(void) { return ADD_ONE_ABI_VERSION; }
int32_t coda_num_inputs(void) { return 1; }
int32_t coda_num_outputs(void) { return 1; }

const coda_tensor_info *coda_input_info(int32_t index) {
  return index == 0 ? &inputInfo : NULL;
}

const coda_tensor_info *coda_output_info(int32_t index) {
  return index == 0 ? &outputInfo : NULL;
}

coda_status coda_init(coda_model **model) {
  if (!model)
    return CODA_ERROR_NULL_ARGUMENT;
  *model = calloc(1, sizeof(coda_model));
  return *model ? CODA_OK : CODA_ERROR_OUT_OF_MEMORY;
}

coda_status coda_run(coda_model *model, const float *const *inputs,
                     float *const *outputs) {
  if (!model || !inputs || !outputs || !inputs[0] || !outputs[0])
    return CODA_ERROR_NULL_ARGUMENT;
  for (int i = 0; i < NUM_ELEMENTS; ++i)
    outputs[0][i] = inputs[0][i] + 1.0f;
  ++model->runs;
  return CODA_OK;
}

void coda_free(coda_model *model) { free(model); }
