// ps_base_fill_portable: the first draws of csrc/draws.cpp for any CPU (csrc/draws_fill.h).
#include "draws_fill.h"

#define PS_FILL_NAME ps_base_fill_portable
#include "draws_fill_body.h"
