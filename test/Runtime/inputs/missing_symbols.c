/*===- missing_symbols.c - A library lacking most of CodaModel.h ----------===*\
|*                                                                            *|
|* coda-run must name the missing symbols instead of crashing.               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "coda/Runtime/CodaModel.h"

int32_t coda_abi_version(void) { return CODA_ABI_VERSION; }
int32_t coda_num_inputs(void) { return 1; }
int32_t coda_num_outputs(void) { return 1; }
