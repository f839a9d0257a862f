// ps_fills_avx2: the first draws of csrc/draws.cpp and their steps, compiled with
// -mavx2 (CMakeLists.txt) and used only where the CPU has AVX2 (csrc/draws_fill.h).
#include "draws_fill.h"

#define PS_FILLS_NAME ps_fills_avx2
#include "draws_fill_body.h"
