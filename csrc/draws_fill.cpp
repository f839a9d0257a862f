// ps_fills_portable: the first draws of csrc/draws.cpp and their steps, for any CPU
// (csrc/draws_fill.h).
#include "draws_fill.h"

#define PS_FILLS_NAME ps_fills_portable
#include "draws_fill_body.h"
