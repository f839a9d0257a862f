// ps_base_fill_avx2 and ps_steps_avx2: the first draws and their steps of csrc/draws.cpp, compiled with -mavx2 (CMakeLists.txt)
// and called only where the CPU has AVX2 (csrc/draws_fill.h).
#include "draws_fill.h"

#define PS_FILL_NAME ps_base_fill_avx2
#define PS_STEPS_NAME ps_steps_avx2
#include "draws_fill_body.h"
