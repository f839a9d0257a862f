// ps_base_fill_portable and ps_steps_portable: the first draws and their steps of csrc/draws.cpp for any CPU (csrc/draws_fill.h).
#include "draws_fill.h"

#define PS_FILL_NAME ps_base_fill_portable
#define PS_STEPS_NAME ps_steps_portable
#include "draws_fill_body.h"
